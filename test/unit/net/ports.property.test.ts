import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/core/errors.js';
import { AllowList, formatPortRanges, parsePortRanges } from '../../../src/net/address-policy.js';
import { PROTOCOLS, findPortConflicts, formatPortSpec, parsePortNumber, parsePortSpec, uniquePorts, type PortSpec } from '../../../src/net/ports.js';

/** Property tests of the port models; the number of generated cases is in each name. */

const RUNS = 3000;

const port = fc.integer({ min: 1, max: 65535 });
const protocol = fc.constantFrom(...PROTOCOLS);
const portSpec: fc.Arbitrary<PortSpec> = fc.record({ port, protocol });

describe(`port models (properties, ${RUNS} generated cases each)`, () => {
  it(`a port spec formatted and parsed again is the same; any other text is a UserError (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(portSpec, fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), fc.stringMatching(/^-?\d{0,6}(\/[a-zA-Z]{0,5})?$/)), (p, junk) => {
        expect(parsePortSpec(formatPortSpec(p))).toEqual(p);
        expect(parsePortSpec(formatPortSpec(p).toUpperCase())).toEqual(p);
        try {
          const q = parsePortSpec(junk);
          expect(q.port).toBe(Number(junk.split('/')[0]));
          expect(PROTOCOLS).toContain(q.protocol);
        } catch (err) {
          expect(err).toBeInstanceOf(UserError);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it(`parsePortNumber accepts exactly the decimal numbers 1-65535 (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: -10, max: 100_000 }).map(String), fc.string({ maxLength: 6 })), (text) => {
        const expected = /^\d{1,5}$/.test(text) && Number(text) >= 1 && Number(text) <= 65535 ? Number(text) : undefined;
        expect(parsePortNumber(text)).toBe(expected);
      }),
      { numRuns: RUNS },
    );
  });

  it(`uniquePorts keeps each port/protocol once, sorted; conflicts are the ports declared by two or more members (${RUNS} cases)`, () => {
    const member = fc.record({ name: fc.stringMatching(/^[a-z]{1,6}$/), ports: fc.array(fc.record({ port: fc.integer({ min: 1, max: 20 }), protocol }), { maxLength: 6 }) });
    fc.assert(
      fc.property(fc.uniqueArray(member, { selector: (m) => m.name, maxLength: 5 }), (members) => {
        const all = members.flatMap((m) => m.ports);
        const unique = uniquePorts(all);
        expect(new Set(unique.map(formatPortSpec)).size).toBe(unique.length);
        expect(new Set(unique.map(formatPortSpec))).toEqual(new Set(all.map(formatPortSpec)));
        for (let i = 1; i < unique.length; i += 1) expect(unique[i - 1]!.port <= unique[i]!.port).toBe(true);

        const owners = new Map<string, string[]>();
        for (const m of members) for (const key of new Set(m.ports.map(formatPortSpec))) owners.set(key, [...(owners.get(key) ?? []), m.name]);
        const expected = [...owners.entries()].filter(([, names]) => names.length > 1).map(([key, names]) => ({ key, names }));
        const conflicts = findPortConflicts(members).map((c) => ({ key: formatPortSpec(c), names: c.members }));
        expect(new Set(conflicts.map((c) => JSON.stringify(c)))).toEqual(new Set(expected.map((c) => JSON.stringify(c))));
      }),
      { numRuns: RUNS },
    );
  });

  it(`the agent's port ranges format and parse back to themselves; a port is allowed iff a range holds it (${RUNS} cases)`, () => {
    const range = fc.tuple(port, port).map(([a, b]) => ({ from: Math.min(a, b), to: Math.max(a, b) }));
    fc.assert(
      fc.property(fc.array(range, { minLength: 1, maxLength: 5 }), port, (ranges, p) => {
        expect(parsePortRanges(formatPortRanges(ranges))).toEqual(ranges);
        const verdict = new AllowList(['192.0.2.0/24'], formatPortRanges(ranges)).check({ ip: '192.0.2.7', port: p });
        expect(verdict.allowed).toBe(ranges.some((r) => p >= r.from && p <= r.to));
      }),
      { numRuns: RUNS },
    );
  });
});
