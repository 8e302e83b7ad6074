import { describe, expect, it } from 'vitest';
import { formatLabelSelector, LabelSelectorError, matchesLabels, parseLabelSelector, selectorFromObject } from '../../../src/net/label-selector.js';

const m = (sel: string, labels: Record<string, string>) => matchesLabels(parseLabelSelector(sel), labels);

describe('label selectors', () => {
  it.each([
    ['app=web', { app: 'web' }, true],
    ['app==web', { app: 'web' }, true],
    ['app=web', { app: 'db' }, false],
    ['app!=web', { app: 'db' }, true],
    ['app!=web', {}, true], // != also selects objects without the key, as Kubernetes does
    ['env in (prod, staging)', { env: 'staging' }, true],
    ['env in (prod,staging)', { env: 'dev' }, false],
    ['env notin (dev)', {}, true],
    ['env notin (dev)', { env: 'dev' }, false],
    ['release', { release: '' }, true],
    ['release', {}, false],
    ['!canary', {}, true],
    ['!canary', { canary: 'true' }, false],
    ['app=web,tier notin (canary),!debug', { app: 'web', tier: 'front' }, true],
    ['app.kubernetes.io/name=netpeek', { 'app.kubernetes.io/name': 'netpeek' }, true],
    ['app=', { app: '' }, true],
    ['', { anything: 'x' }, true],
  ])('%s on %j → %s', (sel, labels, want) => {
    expect(m(sel, labels)).toBe(want);
  });

  it.each([
    ['app=web,', 'an empty requirement'],
    ['app in ()', 'needs at least one value'],
    ['env in (prod', 'unbalanced parentheses'],
    ['-app=web', 'is not a label key'],
    ['app=we b', 'is not a label requirement'],
    ['app=web!', 'is not a label value'],
    ['Example.com/app=web', 'DNS subdomain'],
    ['size gt 3', 'gt and lt only work in node affinity'],
  ])('refuses %j with a reason', (sel, reason) => {
    expect(() => parseLabelSelector(sel)).toThrow(LabelSelectorError);
    expect(() => parseLabelSelector(sel)).toThrow(reason);
  });

  it('reports the offset of the bad requirement', () => {
    try {
      parseLabelSelector('app=web, -bad');
      expect.unreachable();
    } catch (err) {
      expect((err as LabelSelectorError).offset).toBe(9);
    }
  });

  it('formats back to a canonical form kubectl accepts', () => {
    expect(formatLabelSelector(parseLabelSelector(' app == web ,  env in (a, b), !x, y, z != 1 '))).toBe('app=web,env in (a,b),!x,y,z!=1');
  });

  it('reads matchLabels / matchExpressions', () => {
    const sel = selectorFromObject({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['canary'] }, { key: 'debug', operator: 'DoesNotExist' }] });
    expect(formatLabelSelector(sel)).toBe('app=web,tier!=canary,!debug');
    expect(() => selectorFromObject({ matchExpressions: [{ key: 'x', operator: 'In' }] })).toThrow('needs values');
  });
});
