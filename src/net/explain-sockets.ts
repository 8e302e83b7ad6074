import type { ListeningFact, Table } from '../core/answer.js';
import type { OwnedSocket } from './proc-sockets.js';
import type { PortSpec } from './ports.js';
import { formatPortSpec } from './ports.js';

/**
 * What the sockets of one network namespace mean next to what the workload declares: the gap between
 * "the image says EXPOSE 80" and "the server actually waits on 127.0.0.1:8080". Pure: sockets and declared
 * ports in, one finding per port out, each with the sentence a user reads.
 */

/** Where a port comes from: the image/spec (declared, containerPort), Docker's EXPOSE, or a host binding. */
export type DeclarationKind = 'declared' | 'exposed' | 'published';

export interface DeclaredPort extends PortSpec {
  kind: DeclarationKind;
  /** The container that declares it (pods and `container:` groups share one namespace). */
  container?: string;
}

/** Who can reach a listening socket, from its local address alone. */
export type ListenScope = 'all' | 'loopback' | 'one-address';

export type SocketVerdict =
  /** Listens on every address and is declared: fine. */
  | 'reachable'
  /** Listens on every address but nothing declares it: works anyway. */
  | 'undeclared'
  /** Loopback only, and the port is declared/exposed/published: the classic outage. */
  | 'loopback-only-declared'
  /** Loopback only and undeclared: an internal helper (admin port, sidecar), fine as long as it is meant. */
  | 'loopback-only'
  /** Bound to one specific address of the namespace. */
  | 'one-address'
  /** Declared, exposed or published, and nothing listens on it. */
  | 'nothing-listening';

export interface SocketFinding extends PortSpec {
  verdict: SocketVerdict;
  /** Addresses the port is bound on (empty for nothing-listening). */
  addresses: string[];
  /** Kinds of declaration that name this port, most visible first (published, exposed, declared). */
  declaredAs: DeclarationKind[];
  /** The container that holds the socket (or, for nothing-listening, the one that declares it). */
  container?: string;
  process?: { pid: number; command: string };
  /** True when a user must act: something declared that cannot be reached. */
  warning: boolean;
  sentence: string;
}

export function listenScope(address: string): ListenScope {
  if (address === '0.0.0.0' || address === '::') return 'all';
  if (/^127\./.test(address) || address === '::1' || /^::ffff:127\./.test(address)) return 'loopback';
  return 'one-address';
}

const KIND_ORDER: readonly DeclarationKind[] = ['published', 'exposed', 'declared'];

function describeDeclaration(kinds: readonly DeclarationKind[]): string {
  return kinds.length <= 1 ? kinds.join('') : `${kinds.slice(0, -1).join(', ')} and ${kinds[kinds.length - 1]}`;
}

function key(p: PortSpec): string {
  return formatPortSpec(p);
}

function whose(container: string | undefined, process: { pid: number; command: string } | undefined): string {
  const parts: string[] = [];
  if (process) parts.push(`${process.command} (pid ${process.pid})`);
  if (container) parts.push(`in ${container}`);
  return parts.length ? ` — ${parts.join(' ')}` : '';
}

/**
 * One finding per protocol and port, listening ones first in port order, then the declared ports nothing
 * listens on. `workloadIp` (the container or pod IP) makes the sentences concrete when known.
 */
export function explainSockets(sockets: readonly OwnedSocket[], declared: readonly DeclaredPort[], workloadIp?: string): SocketFinding[] {
  const declaredByPort = new Map<string, DeclaredPort[]>();
  for (const d of declared) declaredByPort.set(key(d), [...(declaredByPort.get(key(d)) ?? []), d]);
  const socketsByPort = new Map<string, OwnedSocket[]>();
  for (const s of sockets) socketsByPort.set(key(s), [...(socketsByPort.get(key(s)) ?? []), s]);

  const findings: SocketFinding[] = [];
  const target = (port: number) => (workloadIp ? `${workloadIp.includes(':') ? `[${workloadIp}]` : workloadIp}:${port}` : `port ${port} of the workload's IP`);

  for (const [k, group] of [...socketsByPort].sort((a, b) => a[1][0]!.port - b[1][0]!.port || a[0].localeCompare(b[0]))) {
    const first = group.find((s) => s.process) ?? group[0]!;
    const addresses = [...new Set(group.map((s) => s.address))].sort();
    const decl = declaredByPort.get(k) ?? [];
    const declaredAs = KIND_ORDER.filter((kind) => decl.some((d) => d.kind === kind));
    const scopes = new Set(addresses.map(listenScope));
    const port = first.port;
    const spec = formatPortSpec(first);
    const owner = whose(first.container, first.process);
    const base = { port, protocol: first.protocol, addresses, declaredAs, ...(first.container ? { container: first.container } : {}), ...(first.process ? { process: first.process } : {}) };
    const declText = describeDeclaration(declaredAs);
    if (scopes.has('all')) {
      findings.push(declaredAs.length
        ? { ...base, verdict: 'reachable', warning: false, sentence: `${spec} listens on ${addresses.join(', ')} (every address): reachable on ${target(port)}${owner}.` }
        : { ...base, verdict: 'undeclared', warning: false, sentence: `${spec} listens on ${addresses.join(', ')} (every address) but is not declared: it works anyway (a declaration is documentation), and declaring it tells the next reader${owner}.` });
    } else if (scopes.has('one-address')) {
      const specific = addresses.filter((a) => listenScope(a) === 'one-address');
      findings.push({ ...base, verdict: 'one-address', warning: false, sentence: `${spec} listens on ${specific.join(', ')} only: reachable on that address, not on the namespace's other addresses${declaredAs.length ? '' : ' (not declared)'}${owner}.` });
    } else if (declaredAs.length) {
      findings.push({ ...base, verdict: 'loopback-only-declared', warning: true, sentence: `⚠ ${spec} is ${declText} but the server listens on ${addresses.join(', ')} only: it is reachable only from inside the workload's own network namespace, so connections to ${target(port)}${declaredAs.includes('published') ? ' and to the published host port' : ''} are refused. Make the server listen on 0.0.0.0 (or ::)${owner}.` });
    } else {
      findings.push({ ...base, verdict: 'loopback-only', warning: false, sentence: `${spec} listens on ${addresses.join(', ')} only and is not declared: reachable only from inside the namespace (fine for an internal helper)${owner}.` });
    }
  }

  for (const [k, decl] of [...declaredByPort].sort((a, b) => a[1][0]!.port - b[1][0]!.port || a[0].localeCompare(b[0]))) {
    if (socketsByPort.has(k)) continue;
    const first = decl[0]!;
    const declaredAs = KIND_ORDER.filter((kind) => decl.some((d) => d.kind === kind));
    const container = decl.find((d) => d.container)?.container;
    findings.push({
      port: first.port, protocol: first.protocol, addresses: [], declaredAs, ...(container ? { container } : {}),
      verdict: 'nothing-listening', warning: true,
      sentence: `⚠ ${formatPortSpec(first)} is ${describeDeclaration(declaredAs)}${container ? ` by ${container}` : ''} but nothing listens on it in the namespace: connections to ${target(first.port)} are refused.`,
    });
  }
  return findings;
}

/**
 * A declared port's "Ports" note made to agree with the namespace's sockets: "reachable at ip:port" holds
 * only when something listens there. Undefined when the sockets confirm the declaration (or say nothing
 * about the port): the declaration's own note stands. `via` names a host port that forwards to it.
 */
export function portNoteFromSockets(port: PortSpec, findings: readonly SocketFinding[], ip: string | undefined, via?: string): string | undefined {
  const f = findings.find((x) => x.port === port.port && x.protocol === port.protocol);
  if (!f) return undefined;
  const at = `${ip ?? 'the workload IP'}:${port.port}/${port.protocol}`;
  const forwarded = via ? `${via} forwards to ${at}, but ` : '';
  switch (f.verdict) {
    case 'loopback-only-declared':
      return `LOOPBACK ONLY: ${forwarded}the server listens on ${f.addresses.join(', ')} only, so connections to ${at}${via ? ' and to the host port' : ''} are refused; only processes inside the namespace reach it. Make the server listen on 0.0.0.0 (or ::).`;
    case 'nothing-listening':
      return `NOTHING LISTENS: ${forwarded}no socket is bound to ${port.port}/${port.protocol} in the namespace, so connections to ${at} are refused.`;
    case 'one-address':
      return ip && f.addresses.includes(ip) ? undefined : `${forwarded ? `${forwarded}the` : 'The'} server listens on ${f.addresses.join(', ')} only, not on ${ip ?? 'the workload IP'}: connections to ${at} are refused.`;
    default:
      return undefined;
  }
}

/** The findings as an Answer carries them: the JSON field, one table every renderer shows, and the warnings. */
export function socketAnswerParts(findings: readonly SocketFinding[]): { listening: ListeningFact[]; table: Table; warnings: string[] } {
  const listening: ListeningFact[] = findings.map((f) => ({
    port: f.port, protocol: f.protocol, addresses: f.addresses, verdict: f.verdict, declaredAs: f.declaredAs,
    ...(f.container ? { container: f.container } : {}), ...(f.process ? { process: f.process } : {}), warning: f.warning, note: f.sentence,
  }));
  const showContainer = findings.some((f) => f.container);
  const table: Table = {
    title: 'Listening sockets (read from the namespace)',
    columns: ['Port', 'Address', 'Process', ...(showContainer ? ['Container'] : []), 'Declared', 'Meaning'],
    rows: findings.map((f) => [
      formatPortSpec(f), f.addresses.join(', ') || '—', f.process ? `${f.process.command} (${f.process.pid})` : '—',
      ...(showContainer ? [f.container ?? '—'] : []), f.declaredAs.join(', ') || 'no', VERDICT_WORDS[f.verdict],
    ]),
  };
  return { listening, table, warnings: findings.filter((f) => f.warning).map((f) => f.sentence) };
}

const VERDICT_WORDS: Record<SocketVerdict, string> = {
  reachable: 'reachable on the workload IP',
  undeclared: 'reachable, not declared',
  'loopback-only-declared': 'LOOPBACK ONLY: unreachable from outside',
  'loopback-only': 'loopback only (internal)',
  'one-address': 'one address only',
  'nothing-listening': 'NOTHING LISTENING',
};
