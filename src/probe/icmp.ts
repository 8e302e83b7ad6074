import ipaddr from 'ipaddr.js';
import { runProgram, type ExecOutcome, type StartedProgram } from './exec.js';
import { roundMs, type IcmpStats } from './types.js';

/**
 * ICMP echo through Debian's programs: one `fping` process for a whole batch, or one `ping` (iputils) per
 * address when fping is not installed. Addresses reaching this module are canonical IP literals, so
 * neither program ever resolves a name.
 */

export interface IcmpRunOptions {
  count: number;
  /** Per echo request. */
  timeoutMs: number;
  /** Time between echo requests to the same address. */
  periodMs: number;
  /** Hard stop: the program is interrupted (and prints what it has) after this. */
  budgetMs: number;
  signal?: AbortSignal;
}

/** Per address: its stats, or a sentence on why there are none. */
export type IcmpOutcome = { stats: IcmpStats; note?: string } | { stats?: undefined; note: string };

export interface IcmpRun {
  /** The program was not found; nothing ran. */
  missing: boolean;
  results: Map<string, IcmpOutcome>;
}

/** fping arguments: -C gives per-request RTTs on stderr; -r 0 keeps the count exact; `--` ends options. */
export function fpingArgs(ips: string[], o: Pick<IcmpRunOptions, 'count' | 'timeoutMs' | 'periodMs'>): string[] {
  return ['-C', String(o.count), '-q', '-t', String(o.timeoutMs), '-p', String(o.periodMs), '-i', '1', '-r', '0', '--', ...ips];
}

const RTT = String.raw`(?:-|\d+(?:\.\d+)?)`;
const SUMMARY = new RegExp(String.raw`^(\S+)\s+:\s+(${RTT}(?:\s+${RTT})*)\s*$`);
const UNREACH = /^ICMP (.+?) from (\S+) for ICMP Echo (?:Request )?sent to (\S+)/;

function canonical(name: string): string {
  try {
    return ipaddr.process(name).toString();
  } catch {
    return name;
  }
}

/** Reads `-C` summary lines (`10.0.0.1 : 0.05 - 0.07`) and ICMP error lines from fping's output. */
export function parseFpingOutput(text: string): { rtts: Map<string, Array<number | undefined>>; icmpErrors: Map<string, string> } {
  const rtts = new Map<string, Array<number | undefined>>();
  const icmpErrors = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const s = SUMMARY.exec(line.trim());
    if (s?.[1] && s[2]) {
      rtts.set(canonical(s[1]), s[2].split(/\s+/).map((v) => (v === '-' ? undefined : Number(v))));
      continue;
    }
    const u = UNREACH.exec(line.trim());
    if (u?.[1] && u[2] && u[3]) icmpErrors.set(canonical(u[3]), `${u[1]} from ${u[2]}`);
  }
  return { rtts, icmpErrors };
}

/** Loss and min/avg/max from one address's RTT list (`undefined` = no reply). */
export function icmpStats(rtts: Array<number | undefined>): IcmpStats {
  const got = rtts.filter((v): v is number => v !== undefined);
  const stats: IcmpStats = { sent: rtts.length, received: got.length, lossPct: rtts.length ? roundMs(((rtts.length - got.length) / rtts.length) * 100) : 100 };
  if (got.length) {
    stats.minMs = roundMs(Math.min(...got));
    stats.avgMs = roundMs(got.reduce((a, b) => a + b, 0) / got.length);
    stats.maxMs = roundMs(Math.max(...got));
  }
  return stats;
}

function firstLine(out: ExecOutcome): string {
  const line = out.failure ?? out.stderr.split('\n').find((l) => l.trim() !== '' && !SUMMARY.test(l.trim()) && !UNREACH.test(l.trim()));
  return line?.trim().slice(0, 200) ?? `exit code ${String(out.code)}`;
}

/**
 * One fping process for all addresses: started now, or `started` ahead with fpingArgs([], o) (the same
 * options, no address), which then reads the addresses from its stdin.
 */
export async function fpingBatch(fping: string, ips: string[], o: IcmpRunOptions, started?: StartedProgram): Promise<IcmpRun> {
  const limits = { timeoutMs: o.budgetMs, ...(o.signal ? { signal: o.signal } : {}) };
  const out = started ? await started.finish(limits, ips.map((ip) => `${ip}\n`).join('')) : await runProgram(fping, fpingArgs(ips, o), limits);
  if (out.missing) return { missing: true, results: new Map() };
  const { rtts, icmpErrors } = parseFpingOutput(`${out.stdout}\n${out.stderr}`);
  const results = new Map<string, IcmpOutcome>();
  for (const ip of ips) {
    const r = rtts.get(ip);
    if (r) results.set(ip, { stats: icmpStats(r), note: icmpErrors.get(ip) });
    else results.set(ip, { note: out.timedOut ? 'no answer before the batch deadline' : `fping gave no result: ${firstLine(out)}` });
  }
  return { missing: false, results };
}

/** iputils and busybox summaries: "3 packets transmitted, 2 received" and "min/avg/max[/mdev] = a/b/c[/d] ms". */
export function parsePingOutput(text: string): IcmpStats | undefined {
  const counts = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(text);
  if (!counts) return undefined;
  const sent = Number(counts[1]);
  const received = Number(counts[2]);
  const stats: IcmpStats = { sent, received, lossPct: sent ? roundMs(((sent - received) / sent) * 100) : 100 };
  const rtt = /min\/avg\/max(?:\/\w+)? = ([\d.]+)\/([\d.]+)\/([\d.]+)/.exec(text);
  if (received > 0 && rtt) {
    stats.minMs = Number(rtt[1]);
    stats.avgMs = Number(rtt[2]);
    stats.maxMs = Number(rtt[3]);
  }
  return stats;
}

/** The fallback: one `ping` per address (the caller bounds how many run at once). */
export async function pingOne(ping: string, ip: string, o: IcmpRunOptions): Promise<{ missing: boolean; outcome: IcmpOutcome }> {
  const args = ['-n', '-q', '-c', String(o.count), '-i', String(o.periodMs / 1000), '-W', String(Math.max(o.timeoutMs, 1) / 1000), '--', ip];
  const out = await runProgram(ping, args, { timeoutMs: o.budgetMs, signal: o.signal });
  if (out.missing) return { missing: true, outcome: { note: 'ping is not installed' } };
  const stats = parsePingOutput(out.stdout);
  if (stats) return { missing: false, outcome: { stats } };
  return { missing: false, outcome: { note: out.timedOut ? 'no answer before the batch deadline' : `ping gave no result: ${firstLine(out)}` } };
}
