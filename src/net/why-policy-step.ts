import type { DiagnosisStep } from '../core/diagnosis.js';
import type { PolicyVerdict } from '../core/policy-verdict.js';
import { skipStep } from './why-diagnosis.js';

/**
 * The policy step of `why`: what the NetworkPolicy engine decided for the connection, as a step that
 * names the policy — the deny-all, the isolating policy of each side, or the one that admits.
 */

/** What the policy step is given: the policies' verdict for from → to, or (no from) the ingress isolation of the Service's pods. */
export type PolicyFacts =
  | { kind: 'verdict'; from: string; to: string; verdict: PolicyVerdict }
  | {
      kind: 'any';
      to: string;
      /** Policies selecting `to` for ingress ("ns/name"); empty when it is not isolated. */
      policies: readonly string[];
      /** Ingress rules those policies have, all together: none means nothing is admitted. */
      ingressRules: number;
      /** Selecting policies the engine cannot read: the step is skipped rather than guessed. */
      unreadable?: readonly string[];
      port?: number;
    };

/** The policy step: a denial names the isolating policies; a default-deny without a client names itself. */
export function policyStep(f: PolicyFacts): DiagnosisStep {
  if (f.kind === 'any') {
    if (f.unreadable?.length) return skipStep('policy', `policy ${f.unreadable[0]} selects ${f.to} and has fields netpeek cannot read`);
    if (f.policies.length === 0) return { id: 'policy', status: 'pass', evidence: `No NetworkPolicy isolates ${f.to} for ingress: every client may connect.` };
    const names = f.policies.join(', ');
    const onPort = f.port !== undefined ? ` to port ${f.port}` : '';
    if (f.ingressRules === 0) {
      return {
        id: 'policy',
        status: 'fail',
        evidence: `${f.to} is isolated for ingress by ${names}, and no ingress rule admits anything: every connection${onPort} is dropped.`,
        fix: `Add a NetworkPolicy admitting the clients${f.port !== undefined ? ` on port ${f.port}` : ''} to these pods, or remove the deny-all (${f.policies[0]}).`,
      };
    }
    return {
      id: 'policy',
      status: 'warn',
      evidence: `${f.to} is isolated for ingress by ${names}: only the clients their rules admit may connect${onPort}; ask \`why <from> svc/…\` to evaluate one client.`,
    };
  }
  const v = f.verdict;
  if (!v.evaluated) return skipStep('policy', v.reason ?? 'the policies were not evaluated');
  const port = v.port;
  const onPort = port ? ` on ${port.protocol} ${port.port}` : '';
  const denied = port ? port.verdict === 'denied' : v.allowed === 'none';
  if (denied) {
    const deciding = [
      ...(v.egress?.isolated && v.egress.admittedBy.length === 0 ? v.egress.policies.map((p) => ({ policy: p, side: `egress of ${f.from}` })) : []),
      ...(v.ingress?.isolated && v.ingress.admittedBy.length === 0 ? v.ingress.policies.map((p) => ({ policy: p, side: `ingress of ${f.to}` })) : []),
    ];
    const isolatedBy = deciding.length ? ` (isolated by ${deciding.map((d) => `${d.policy}, ${d.side}`).join('; ')})` : '';
    return {
      id: 'policy',
      status: 'fail',
      evidence: `NetworkPolicies drop ${f.from} → ${f.to}${onPort}${port ? `: ${port.because}` : ''}${isolatedBy}.`,
      fix: `Add a rule admitting ${f.from} to ${f.to}${onPort}${deciding[0] ? ` in ${deciding[0].policy}, or in a new policy beside it` : ''}.`,
    };
  }
  const by = [...new Set([...(v.egress?.admittedBy ?? []), ...(v.ingress?.admittedBy ?? [])])];
  return { id: 'policy', status: 'pass', evidence: `NetworkPolicies admit ${f.from} → ${f.to}${onPort}${by.length ? ` (admitted by ${by.join(', ')})` : ' (neither end is isolated)'}.` };
}
