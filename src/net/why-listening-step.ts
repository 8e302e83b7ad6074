import type { DiagnosisStep } from '../core/diagnosis.js';
import type { SocketFinding } from './explain-sockets.js';
import { skipStep } from './why-diagnosis.js';

/**
 * The listening step of `why`, for a Docker container's namespace and for a pod's alike: from the socket
 * findings of that namespace (src/net/explain-sockets.ts), whether something accepts on the asked port
 * on an address other hosts can reach. Pure: the caller read the sockets.
 */

/** Whose namespace the findings are of. */
export interface ListeningWorkload {
  /** container: a Docker container by name; pod: `pod <ns>/<name>`, whose sockets each name their container. */
  kind: 'container' | 'pod';
  /** How the sentences name it: `db`, `pod shop/web`. */
  name: string;
  /** What lies outside the namespace, in words: "other containers and the host". */
  others: string;
  /** Where to look when nothing runs: `docker logs db`, `kubectl logs -n shop web --all-containers`. */
  logs: string;
}

/** The process (and, in a pod, its container) holding the socket: " (container web: httpd, pid 7)". */
function holder(w: ListeningWorkload, f: SocketFinding): string {
  const proc = f.process ? `${f.process.command}, pid ${f.process.pid}` : '';
  const container = w.kind === 'pod' && f.container ? `container ${f.container}` : '';
  const both = [container, proc].filter(Boolean).join(': ');
  return both ? ` (${both})` : '';
}

/** "the server in db", "the server in container web of pod shop/web". */
function server(w: ListeningWorkload, f: SocketFinding): string {
  return w.kind === 'pod' && f.container ? `container ${f.container} of ${w.name}` : w.name;
}

/**
 * listening: the finding for `port` (TCP) in the workload's namespace. `reachedAt` is the address the
 * client connects to, when known: a socket bound to that one address is as good as every address.
 */
export function listeningStep(w: ListeningWorkload, port: number | undefined, findings: readonly SocketFinding[], reachedAt: string | undefined): DiagnosisStep {
  if (port === undefined) {
    const reachable = findings.filter((f) => f.protocol === 'tcp' && (f.verdict === 'reachable' || f.verdict === 'undeclared'));
    if (reachable.length) return { id: 'listening', status: 'pass', evidence: `In ${w.name}'s namespace, TCP ${reachable.slice(0, 5).map((f) => f.port).join(', ')} listen on every address.` };
    return skipStep('listening', `no --port was given and nothing in ${w.name}'s namespace listens on every address; ask again with --port N`);
  }
  const f = findings.find((x) => x.port === port && x.protocol === 'tcp');
  if (!f || f.verdict === 'nothing-listening') {
    // Loopback sockets (Docker's embedded DNS on 127.0.0.11, local helpers, a server bound to 127.0.0.1) are no alternative for a client.
    const others = findings.filter((x) => x.protocol === 'tcp' && (x.verdict === 'reachable' || x.verdict === 'undeclared' || x.verdict === 'one-address')).map((x) => `${x.port}`);
    return {
      id: 'listening',
      status: 'fail',
      evidence: `Nothing listens on TCP ${port} in ${w.name}'s network namespace: connections are refused.${others.length ? ` It listens on TCP ${others.slice(0, 5).join(', ')}.` : ' Nothing listens on any TCP port there.'}`,
      fix: others.length ? `Connect to a port ${w.name} listens on (${others[0]}), or start the server on ${port}.` : `Start the server in ${w.name}, or check that it did not exit (${w.logs}).`,
    };
  }
  const who = holder(w, f);
  if (f.verdict === 'loopback-only' || f.verdict === 'loopback-only-declared') {
    return {
      id: 'listening',
      status: 'fail',
      evidence: `${w.name} listens on ${f.addresses.join(', ')}:${port} only${who}: only processes inside its own network namespace can connect; ${w.others} are refused.`,
      fix: `Make the server in ${server(w, f)} listen on 0.0.0.0:${port} (or ::) instead of ${f.addresses[0]}.`,
    };
  }
  if (f.verdict === 'one-address') {
    const onShared = reachedAt !== undefined && f.addresses.includes(reachedAt);
    return {
      id: 'listening',
      status: onShared || reachedAt === undefined ? 'pass' : 'warn',
      evidence: `${w.name} listens on ${f.addresses.join(', ')}:${port} only${who}${reachedAt !== undefined ? `; the client reaches it at ${reachedAt}` : ''}.`,
      ...(onShared || reachedAt === undefined ? {} : { fix: `Make the server listen on 0.0.0.0:${port}, or on ${reachedAt}.` }),
    };
  }
  return { id: 'listening', status: 'pass', evidence: `${w.name} listens on ${f.addresses.join(', ')}:${port} (every address)${who}.` };
}

/** A probe's TCP connection, as far as the listening step needs it. */
export interface AcceptedConnection {
  /** The address connected to: the workload's own (a pod IP), never a Service's virtual IP. */
  ip: string;
  port: number;
  /** Where the connection came from, in words ("node node-a"). */
  from: string;
}

/**
 * listening, answered by a connection the probe made: a TCP handshake completed at the workload's own
 * address from outside its namespace is the proof the step asks for — something accepts on that port, on
 * an address other hosts reach. The sockets are then not read: they explain a refused or dropped
 * connection, and reading them walks the whole host's TCP hash (src/sources/listening-sockets.ts).
 */
export function listeningFromConnection(w: ListeningWorkload, c: AcceptedConnection): DiagnosisStep {
  return {
    id: 'listening',
    status: 'pass',
    evidence: `${w.name} accepts TCP connections on ${c.ip}:${c.port}: the probe's connection from ${c.from} was accepted, so something there listens on an address ${w.others} can reach (its sockets are read when a connection fails, or with --no-probe).`,
  };
}
