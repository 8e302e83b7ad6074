import { readlink } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { AllowList } from '../net/address-policy.js';
import { formatPortRanges } from '../net/address-policy.js';
import { runProgram } from './exec.js';
import { notProbed, type ProbeOptions, type ProbeResult, type ProbeTarget, type Prober } from './types.js';

/**
 * Probes from inside a workload's network namespace: the one way netpeek runs a probe there is
 * `nsenter -t <pid> -n <node> namespace-child.js <request>` through execFile (no shell), where the child is
 * the ordinary LocalProber. Only the network namespace is entered, so the child still runs netpeek's own
 * code and Node from the host's filesystem. Needs CAP_SYS_ADMIN (setns) and CAP_SYS_PTRACE (opening
 * another process's /proc/<pid>/ns/net); that is why it is opt-in.
 *
 * The pid must come from a container the caller looked up (Docker's State.Pid, or the agent's cgroup
 * match), never from user input; it is refused when it is in the host's own namespace (that would be a
 * host probe mislabelled as the workload's). Every target passes the allow-list here, before any process
 * starts, and again in the child.
 */
export interface NamespaceProberOptions {
  pid: number;
  /** The workload the namespace belongs to, for `via` and messages. */
  workload: string;
  allowList: AllowList;
  nsenterPath?: string;
  procRoot?: string;
  /** The compiled child program; tests running from sources pass dist's (vitest's global setup builds it). */
  childScript?: string;
}

const CHILD = fileURLToPath(new URL('./namespace-child.js', import.meta.url));

export class NamespaceProber implements Prober {
  constructor(private readonly o: NamespaceProberOptions) {}

  async probe(targets: ProbeTarget[], opts: ProbeOptions): Promise<ProbeResult[]> {
    const results: (ProbeResult | undefined)[] = targets.map((t) => {
      const verdict = this.o.allowList.check(t);
      return verdict.allowed ? undefined : notProbed(t, 'denied', `${verdict.reason}; nothing was sent from ${this.o.workload}`);
    });
    const allowed = targets.filter((_, i) => results[i] === undefined);
    if (allowed.length === 0) return results as ProbeResult[];
    const refusal = await this.refusal();
    const fromInside = refusal
      ? allowed.map((t) => notProbed(t, 'error', refusal))
      : await this.runChild(allowed, opts);
    let next = 0;
    return results.map((r) => r ?? { ...fromInside[next++]!, via: this.o.workload });
  }

  /** Why this pid's namespace must not be entered, or undefined. */
  private async refusal(): Promise<string | undefined> {
    const proc = this.o.procRoot ?? '/proc';
    if (!Number.isInteger(this.o.pid) || this.o.pid <= 1) return `pid ${this.o.pid} is not a workload's process`;
    try {
      const [theirs, ours] = await Promise.all([readlink(`${proc}/${this.o.pid}/ns/net`), readlink(`${proc}/self/ns/net`)]);
      if (theirs === ours) return `${this.o.workload} shares the host's network namespace: a probe from it is a probe from the host`;
    } catch (err) {
      return `the network namespace of ${this.o.workload} cannot be opened (${(err as NodeJS.ErrnoException).code ?? 'error'}); netpeek needs root on that host`;
    }
    return undefined;
  }

  private async runChild(targets: ProbeTarget[], opts: ProbeOptions): Promise<ProbeResult[]> {
    const request = {
      targets,
      options: { timeoutMs: opts.timeoutMs, ...(opts.deadlineMs !== undefined ? { deadlineMs: opts.deadlineMs } : {}), ...(opts.count !== undefined ? { count: opts.count } : {}) },
      allow: { cidrs: this.o.allowList.cidrs.map((c) => c.text), ports: formatPortRanges(this.o.allowList.ports) },
    };
    const budget = (opts.deadlineMs ?? 30_000) + 2_000;
    const out = await runProgram(this.o.nsenterPath ?? 'nsenter', ['-t', String(this.o.pid), '-n', '--', process.execPath, this.o.childScript ?? CHILD, JSON.stringify(request)], { timeoutMs: budget, ...(opts.signal ? { signal: opts.signal } : {}) });
    if (out.code === 0) {
      try {
        const parsed = JSON.parse(out.stdout) as ProbeResult[];
        if (Array.isArray(parsed) && parsed.length === targets.length) return parsed;
      } catch {
        // fall through to the error results below
      }
    }
    const why = out.missing ? 'nsenter is not installed' : out.timedOut ? 'the probe inside the namespace ran out of time' : (out.stderr.trim() || out.failure || `nsenter exited with ${String(out.code)}`);
    return targets.map((t) => notProbed(t, 'error', `could not probe from inside ${this.o.workload}: ${why}`));
  }
}
