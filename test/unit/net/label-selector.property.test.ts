import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LabelSelectorError, formatLabelSelector, matchesLabels, parseLabelSelector, type LabelRequirement } from '../../../src/net/label-selector.js';

/** Property tests of label selectors; the number of generated cases is in each name. */

const RUNS = 3000;

// Label names and values per the Kubernetes rules: ≤ 63 characters, alphanumeric at both ends.
const alnum = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789');
const inner = fc.constantFrom(...'abcxyzABC0189-_.');
const labelName = fc.oneof(
  alnum.map(String),
  fc.tuple(alnum, fc.array(inner, { maxLength: 61 }), alnum).map(([a, m, b]) => `${a}${m.join('')}${b}`),
);
const prefix = fc.constantFrom('', 'app.kubernetes.io/', 'example.com/', 'k8s.io/');
const key = fc.tuple(prefix, labelName).map(([p, n]) => `${p}${n}`);
const value = fc.oneof(labelName, fc.constant(''));

const requirement: fc.Arbitrary<LabelRequirement> = fc.oneof(
  fc.record({ key, operator: fc.constantFrom('in' as const, 'notin' as const), values: fc.array(value, { minLength: 1, maxLength: 4 }) }),
  fc.record({ key, operator: fc.constantFrom('exists' as const, 'doesnotexist' as const), values: fc.constant<string[]>([]) }),
);
const requirements = fc.array(requirement, { maxLength: 5 });

/** What a requirement selects, written from the Kubernetes documentation rather than from the module. */
function selects(r: LabelRequirement, labels: Record<string, string>): boolean {
  const present = r.key in labels;
  if (r.operator === 'exists') return present;
  if (r.operator === 'doesnotexist') return !present;
  if (r.operator === 'in') return present && r.values.includes(labels[r.key]!);
  return !present || !r.values.includes(labels[r.key]!);
}

describe(`label selectors (properties, ${RUNS} generated cases each)`, () => {
  it(`a selector formatted and parsed again has the same requirements (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(requirements, (reqs) => {
        const text = formatLabelSelector({ requirements: reqs });
        // `a in (x)` formats as `a=x` and `a notin (x)` as `a!=x`, which Kubernetes reads as the same requirement.
        expect(parseLabelSelector(text).requirements).toEqual(reqs);
      }),
      { numRuns: RUNS },
    );
  });

  it(`a selector selects exactly the label sets every one of its requirements selects (${RUNS} cases)`, () => {
    const labels = fc.dictionary(key, value, { maxKeys: 6 });
    fc.assert(
      fc.property(requirements, labels, (reqs, base) => {
        // Reuse the selector's own keys and values half the time, or almost nothing would match.
        const extra = Object.fromEntries(reqs.filter((_, i) => i % 2 === 0).map((r) => [r.key, r.values[0] ?? 'x']));
        for (const set of [base, { ...base, ...extra }]) {
          const selector = parseLabelSelector(formatLabelSelector({ requirements: reqs }));
          expect(matchesLabels(selector, set)).toBe(reqs.every((r) => selects(r, set)));
        }
      }),
      { numRuns: RUNS },
    );
  });

  it(`any text is a selector or a LabelSelectorError with an offset inside the text (${RUNS} cases)`, () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.array(fc.oneof(key, value, fc.constantFrom('=', '==', '!=', '!', ',', ' in ', ' notin ', '(', ')', ' gt ', ' ', '/')), { maxLength: 10 }).map((p) => p.join('')),
    );
    fc.assert(
      fc.property(text, (t) => {
        try {
          parseLabelSelector(t);
        } catch (err) {
          expect(err).toBeInstanceOf(LabelSelectorError);
          const e = err as LabelSelectorError;
          expect(e.offset).toBeGreaterThanOrEqual(0);
          expect(e.offset).toBeLessThanOrEqual(t.length);
          expect(e.message).toMatch(/\S/);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
