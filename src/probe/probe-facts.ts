import type { ProbeFact } from '../core/answer.js';
import {
  degradedSentence,
  deniedSentence,
  icmpFailedSentence,
  icmpOkSentence,
  tcpOkSentence,
  tcpRefusedSentence,
  tcpTimeoutSentence,
  unreachableSentence,
} from '../net/explain-probe.js';
import type { ProbeResult } from './types.js';

export interface ProbeSummary {
  facts: ProbeFact[];
  explanations: string[];
  warnings: string[];
  /** Every result was a placeholder: the agent could not run the batch. */
  degraded: boolean;
}

function fact(r: ProbeResult, from: string): ProbeFact {
  const out: ProbeFact = { kind: r.kind, target: r.ip, ok: r.ok, from };
  if (r.port !== undefined) out.port = r.port;
  if (r.ms !== undefined) out.ms = r.ms;
  if (!r.ok) out.error = r.unavailable ? 'agent unavailable' : (r.error ?? 'error');
  const detail = r.icmp ? `${r.icmp.received}/${r.icmp.sent} replies, ${r.icmp.lossPct}% loss${r.icmp.minMs !== undefined ? `, rtt min/avg/max ${r.icmp.minMs}/${r.icmp.avgMs}/${r.icmp.maxMs} ms` : ''}` : r.http ? `HTTP ${r.http.status}` : r.unavailable ? r.unavailable.message : undefined;
  if (detail) out.detail = detail;
  return out;
}

function explain(r: ProbeResult, from: string): string | undefined {
  if (r.unavailable) return undefined;
  if (r.error === 'denied') return deniedSentence(r.ip, r.detail ?? 'the allow-list does not cover it');
  if (r.kind === 'icmp') return r.ok ? icmpOkSentence(r.ip, from) : r.error === 'unreachable' ? icmpFailedSentence(r.ip, from) : undefined;
  const port = r.port ?? 0;
  if (r.ok) return tcpOkSentence(r.ip, port, from);
  if (r.error === 'refused') return tcpRefusedSentence(r.ip, port);
  if (r.error === 'timeout') return tcpTimeoutSentence(r.ip, port);
  if (r.error === 'unreachable') return unreachableSentence(r.ip, from);
  return r.detail;
}

/** Probe results → Answer parts: one fact per probe, one explanation per distinct outcome. */
export function summariseProbes(results: readonly ProbeResult[], from: string): ProbeSummary {
  const explanations = [...new Set(results.map((r) => explain(r, from)).filter((s): s is string => s !== undefined))];
  const unavailable = results.find((r) => r.unavailable)?.unavailable;
  const warnings = unavailable ? [degradedSentence(from, unavailable.message)] : [];
  return { facts: results.map((r) => fact(r, from)), explanations, warnings, degraded: results.length > 0 && results.every((r) => r.unavailable) };
}
