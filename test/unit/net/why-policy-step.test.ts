import { describe, expect, it } from 'vitest';
import { policyStep } from '../../../src/net/why-policy-step.js';

describe('policyStep', () => {
  it('passes when nothing isolates the pods, without a client', () => {
    expect(policyStep({ kind: 'any', to: 'pod shop/cart-1', policies: [], ingressRules: 0 })).toEqual({
      id: 'policy',
      status: 'pass',
      evidence: 'No NetworkPolicy isolates pod shop/cart-1 for ingress: every client may connect.',
    });
  });

  it('fails on a deny-all and names it in the evidence and the fix', () => {
    const s = policyStep({ kind: 'any', to: 'pod locked/vault-1', policies: ['locked/default-deny'], ingressRules: 0, port: 8200 });
    expect(s.status).toBe('fail');
    expect(s.evidence).toContain('isolated for ingress by locked/default-deny');
    expect(s.fix).toContain('remove the deny-all (locked/default-deny)');
  });

  it('warns, not passes, when isolating policies have rules but no client was named', () => {
    expect(policyStep({ kind: 'any', to: 'pod bank/ledger-1', policies: ['bank/allow'], ingressRules: 1 }).status).toBe('warn');
  });

  it('skips, with the policy named, when a selecting policy cannot be read', () => {
    const s = policyStep({ kind: 'any', to: 'pod a/b', policies: ['a/odd'], ingressRules: 0, unreadable: ['a/odd'] });
    expect(s).toEqual({ id: 'policy', status: 'skip', evidence: 'Not checked: policy a/odd selects pod a/b and has fields netpeek cannot read.' });
  });

  it('a denied connection names the isolating policy of each side', () => {
    const s = policyStep({
      kind: 'verdict',
      from: 'shop/web-1',
      to: 'pod bank/db-0',
      verdict: {
        evaluated: true,
        allowed: 'none',
        egress: { isolated: false, policies: [], admittedBy: [] },
        ingress: { isolated: true, policies: ['bank/db-only-api'], admittedBy: [] },
        port: { protocol: 'TCP', port: 5432, verdict: 'denied', because: 'no rule of bank/db-only-api admits shop/web-1' },
      },
    });
    expect(s.status).toBe('fail');
    expect(s.evidence).toBe('NetworkPolicies drop shop/web-1 → pod bank/db-0 on TCP 5432: no rule of bank/db-only-api admits shop/web-1 (isolated by bank/db-only-api, ingress of pod bank/db-0).');
    expect(s.fix).toBe('Add a rule admitting shop/web-1 to pod bank/db-0 on TCP 5432 in bank/db-only-api, or in a new policy beside it.');
  });

  it('an admitted connection names the admitting policy; an unevaluated one is a skip with the reason', () => {
    const admitted = policyStep({
      kind: 'verdict',
      from: 'a/x',
      to: 'pod a/y',
      verdict: { evaluated: true, allowed: 'all', ingress: { isolated: true, policies: ['a/allow-x'], admittedBy: ['a/allow-x'] } },
    });
    expect(admitted).toMatchObject({ status: 'pass', evidence: 'NetworkPolicies admit a/x → pod a/y (admitted by a/allow-x).' });
    expect(policyStep({ kind: 'verdict', from: 'a/x', to: 'pod a/y', verdict: { evaluated: false, reason: 'a/x uses the host network' } })).toEqual({
      id: 'policy',
      status: 'skip',
      evidence: 'Not checked: a/x uses the host network.',
    });
  });
});
