import { open, readlink } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { AllowList } from '../net/address-policy.js';
import { formatPortRanges } from '../net/address-policy.js';
import { allowedNameservers, type DnsRequest, type DnsResult } from './dns.js';
import { runProgram, type ExecOutcome } from './exec.js';
import { currentNetns, type WorkloadProcess } from './workload-process.js';
import { notProbed, type ProbeOptions, type ProbeResult, type ProbeTarget, type Prober } from './types.js';

/**
 * Probes from inside a workload's network namespace: the one way netpeek runs a probe there is
 * `nsenter --net=<the namespace, held open> <node> namespace-child.js <request>` with an argument array (no shell), where the child is
 * the ordinary LocalProber. Only the network namespace is entered, so the child still runs netpeek's own
 * code and Node from the host's filesystem. Needs CAP_SYS_ADMIN (setns) and CAP_SYS_PTRACE (opening
 * another process's /proc/<pid>/ns/net); that is why it is opt-in.
 *
 * The process comes from checkContainerProcess (a container netpeek looked up, its PID's cgroup naming
 * it), never from user input; it is refused again here when it is gone, changed namespace, or sits in the
 * host's own namespace (that would be a host probe mislabelled as the workload's). Every target passes the
 * allow-list here, before any process starts, and again in the child.
 */
export interface NamespaceProberOptions {
  /** The checked process whose namespace to enter (see checkContainerProcess): never a bare PID. */
  process: WorkloadProcess;
  allowList: AllowList;
  nsenterPath?: string;
  procRoot?: string;
  /** The compiled child program; tests running from sources pass dist's (vitest's global setup builds it). */
  childScript?: string;
}

/**
 * The child runs under plain node, so it must be JavaScript: next to this module in dist/, or, when this
 * module runs from its TypeScript source (vitest, tsx), the build of it (the tests' global setup builds dist/).
 */
const CHILD = fileURLToPath(
  import.meta.url.endsWith('.ts') ? new URL('../../dist/src/probe/namespace-child.js', import.meta.url) : new URL('./namespace-child.js', import.meta.url),
);

export class NamespaceProber implements Prober {
  constructor(private readonly o: NamespaceProberOptions) {}

  private get workload(): string {
    return this.o.process.workload;
  }

  async probe(targets: ProbeTarget[], opts: ProbeOptions): Promise<ProbeResult[]> {
    const results: (ProbeResult | undefined)[] = targets.map((t) => {
      const verdict = this.o.allowList.check(t);
      return verdict.allowed ? undefined : notProbed(t, 'denied', `${verdict.reason}; nothing was sent from ${this.workload}`);
    });
    const allowed = targets.filter((_, i) => results[i] === undefined);
    if (allowed.length === 0) return results.map((r) => ({ ...r!, via: this.workload }));
    const refusal = await this.refusal();
    const fromInside = refusal
      ? allowed.map((t) => notProbed(t, 'error', refusal))
      : await this.probeChild(allowed, opts);
    let next = 0;
    return results.map((r) => ({ ...(r ?? fromInside[next++]!), via: this.workload }));
  }

  /**
   * Why the namespace must not be entered now, or undefined, said before anything starts: the process was
   * checked when it was found, and is looked at again here in case it exited or its PID was reused. This
   * only words the refusal early; what binds the probe to the checked namespace is runChild's held-open
   * namespace file and its inode.
   */
  private async refusal(): Promise<string | undefined> {
    const p = this.o.process;
    if (!Number.isInteger(p.pid) || p.pid <= 1) return `pid ${p.pid} is not a workload's process`;
    const proc = { ...(this.o.procRoot ? { procRoot: this.o.procRoot } : {}) };
    const [theirs, ours] = await Promise.all([currentNetns(p, proc), readlink(`${this.o.procRoot ?? '/proc'}/self/ns/net`).catch(() => '')]);
    if (theirs === undefined) return `the process of ${this.workload} is gone; nothing was sent`;
    if (theirs !== p.netns) return `the process of ${this.workload} changed namespace since netpeek checked it; nothing was sent`;
    if (theirs === ours) return `${this.workload} shares the host's network namespace: a probe from it is a probe from the host`;
    return undefined;
  }

  /**
   * DNS questions from inside the namespace, through the same child: nameservers the allow-list does not
   * cover (loopback ones are the namespace's own) are denied here and again in the child.
   */
  async resolve(req: DnsRequest): Promise<DnsResult[]> {
    const { allowed } = allowedNameservers(req.nameservers, this.o.allowList, true);
    const refusal = allowed.length ? await this.refusal() : 'no nameserver of it may be queried';
    const failed = (detail: string) => req.candidates.map((c): DnsResult => ({ name: c.name, type: req.type, outcome: 'error', answers: [], detail }));
    if (refusal) return failed(refusal);
    const budget = req.candidates.length * (req.timeoutMs + 200) + 2_000;
    const out = await this.runChild({ dns: { ...req, nameservers: allowed } }, budget, req.candidates.length);
    return 'results' in out ? (out.results as DnsResult[]) : failed(`could not query from inside ${this.workload}: ${out.why}`);
  }

  private async probeChild(targets: ProbeTarget[], opts: ProbeOptions): Promise<ProbeResult[]> {
    const options = { timeoutMs: opts.timeoutMs, ...(opts.deadlineMs !== undefined ? { deadlineMs: opts.deadlineMs } : {}), ...(opts.count !== undefined ? { count: opts.count } : {}) };
    const out = await this.runChild({ targets, options }, (opts.deadlineMs ?? 30_000) + 2_000, targets.length, opts.signal);
    if ('results' in out) return out.results as ProbeResult[];
    return targets.map((t) => notProbed(t, 'error', `could not probe from inside ${this.workload}: ${out.why}`));
  }

  /**
   * The one way into the namespace: nsenter with an argument array, the request as one JSON argument.
   * The namespace is opened here and nsenter enters the open file (`--net=/proc/self/fd/3`), not the PID:
   * `nsenter -t PID` would look the PID up again, and between the check and that lookup the process may
   * exit and its PID go to a process in another namespace. An open namespace file stays the namespace it
   * was when opened, and its inode is checked against the one netpeek verified.
   */
  private async runChild(body: object, budgetMs: number, expected: number, signal?: AbortSignal): Promise<{ results: unknown[] } | { why: string }> {
    const request = { ...body, allow: { cidrs: this.o.allowList.cidrs.map((c) => c.text), ports: formatPortRanges(this.o.allowList.ports) } };
    const p = this.o.process;
    const ns = await open(`${this.o.procRoot ?? '/proc'}/${p.pid}/ns/net`, 'r').catch(() => undefined);
    if (!ns) return { why: `the process of ${this.workload} is gone; nothing was sent` };
    try {
      if (`net:[${(await ns.stat()).ino}]` !== p.netns) return { why: `the process of ${this.workload} changed namespace since netpeek checked it; nothing was sent` };
      const args = ['--net=/proc/self/fd/3', '--', process.execPath, this.o.childScript ?? CHILD, JSON.stringify(request)];
      return parseChild(await runProgram(this.o.nsenterPath ?? 'nsenter', args, { timeoutMs: budgetMs, passFds: [ns.fd], ...(signal ? { signal } : {}) }), expected);
    } finally {
      await ns.close();
    }
  }
}

/** What the child printed: one result per request, as JSON, or why there is none. */
function parseChild(out: ExecOutcome, expected: number): { results: unknown[] } | { why: string } {
  if (out.code === 0) {
    try {
      const parsed = JSON.parse(out.stdout) as unknown[];
      if (Array.isArray(parsed) && parsed.length === expected) return { results: parsed };
    } catch {
      // fall through to the error below
    }
  }
  return { why: out.missing ? 'nsenter is not installed' : out.timedOut ? 'the child inside the namespace ran out of time' : (out.stderr.trim() || out.failure || `nsenter exited with ${String(out.code)}`) };
}
