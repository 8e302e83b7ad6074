import type { Answer, Table } from '../core/answer.js';
import type { DiagnosisStep, StepId } from '../core/diagnosis.js';

/**
 * The presentation-neutral outline both the text and the Block Kit renderer follow, so the two never
 * disagree about what an answer contains or in which order.
 */
export interface Outline {
  title: string;
  summary?: string;
  /** A `why` answer's steps, one line each with its mark (✓ pass, ✗ fail, ! warn, – skip): shown right after the verdict. */
  checklist: string[];
  facts: [string, string][];
  tables: Table[];
  probes: string[];
  sharing?: string;
  warnings: string[];
  explanations: string[];
  hints: string[];
  /** Graphviz DOT of a picture (policy map); Slack attaches it rendered as a PNG. */
  dot?: string;
}

export function addressTable(answer: Answer): Table | undefined {
  if (answer.addresses.length === 0) return undefined;
  return {
    title: 'Addresses',
    columns: ['network', 'driver', 'address', 'subnet', 'gateway', 'broadcast', 'mac'],
    rows: answer.addresses.map((a) => [
      a.network,
      a.driver ?? '',
      `${a.ip}/${a.prefixLength}`,
      a.subnet,
      a.gateway ?? '',
      a.broadcast ?? '',
      a.mac ?? '',
    ]),
  };
}

export function portTable(answer: Answer): Table | undefined {
  if (answer.ports.length === 0) return undefined;
  const hostSide = (p: Answer['ports'][number]): string =>
    p.hostPort !== undefined ? `${p.hostIp && p.hostIp !== '' ? p.hostIp : '0.0.0.0'}:${p.hostPort}` : p.targetPort !== undefined ? `→ ${p.targetPort}` : '';
  return {
    title: 'Ports',
    columns: ['port', 'kind', 'container', 'host side', 'meaning'],
    rows: answer.ports.map((p) => [`${p.port}/${p.protocol}${p.name ? ` (${p.name})` : ''}`, p.source, p.container ?? '', hostSide(p), p.note]),
  };
}

export function describeProbe(p: Answer['probes'][number]): string {
  const target = p.port !== undefined ? `${p.target}:${p.port}` : p.target;
  const verdict = p.ok ? `ok${p.ms !== undefined ? ` in ${formatMs(p.ms)}` : ''}` : `failed: ${p.error ?? 'no answer'}`;
  return `${p.kind.toUpperCase()} ${target} from ${p.from}: ${verdict}${p.detail ? ` (${p.detail})` : ''}`;
}

export function formatMs(ms: number): string {
  return ms < 10 ? `${ms.toFixed(2)} ms` : `${Math.round(ms)} ms`;
}

const MARKS = { pass: '✓', fail: '✗', warn: '!', skip: '–' } as const;

/**
 * One step of a diagnosis as a checklist line. A fix follows a warning or a later failure; the first
 * failure's fix is already in the verdict sentence above the list.
 */
export function checklistLine(s: DiagnosisStep, firstFailure: StepId | null): string {
  const fix = s.fix && (s.status === 'warn' || (s.status === 'fail' && s.id !== firstFailure)) ? ` → ${s.fix}` : '';
  return `${MARKS[s.status]} ${s.id}: ${s.evidence}${fix}`;
}

export function outline(answer: Answer): Outline {
  const tables = [addressTable(answer), portTable(answer), ...answer.tables].filter((t): t is Table => t !== undefined);
  const sharing = answer.sharing
    ? `${answer.sharing.note}${answer.sharing.with.length ? ` Shared with: ${answer.sharing.with.join(', ')}.` : ''}`
    : undefined;
  return {
    title: answer.title,
    summary: answer.summary,
    checklist: (answer.diagnosis?.steps ?? []).map((s) => checklistLine(s, answer.diagnosis!.firstFailure)),
    facts: answer.facts.map((f) => [f.label, f.value]),
    tables,
    probes: answer.probes.map(describeProbe),
    sharing,
    warnings: answer.warnings,
    explanations: answer.explanations,
    hints: answer.hints,
    ...(answer.graph ? { dot: answer.graph.dot } : {}),
  };
}
