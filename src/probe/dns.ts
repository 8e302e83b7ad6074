import { Resolver } from 'node:dns/promises';
import { AllowList } from '../net/address-policy.js';
import type { CandidateName, DnsType, ResolvConf } from '../net/resolv-conf.js';
import { roundMs } from './types.js';

/**
 * DNS questions with the same rules as every other probe: the nameserver is the target, it passes the
 * allow-list before a packet is sent, each query has a timeout, and the result is plain data. Queries go
 * through node's own resolver (c-ares) pointed at the workload's nameservers, with no search list of
 * its own: the candidate names are already fully qualified, in the order the workload's resolver uses.
 */

/** Per query; a stub resolver's default is 5 s, too long for a chat answer that tries several names. */
export const DNS_QUERY_TIMEOUT_MS = 1500;

export type DnsOutcome = 'answer' | 'nxdomain' | 'nodata' | 'timeout' | 'refused' | 'servfail' | 'error' | 'denied' | 'not-tried';

export interface DnsResult {
  /** Fully qualified name asked (trailing dot). */
  name: string;
  type: DnsType;
  outcome: DnsOutcome;
  /** Addresses, or `priority weight port target` for SRV, or names for PTR. */
  answers: string[];
  ms?: number;
  /** A sentence for anything but an answer. */
  detail?: string;
}

export interface DnsRequest {
  candidates: CandidateName[];
  type: DnsType;
  nameservers: string[];
  timeoutMs: number;
}

const ERRORS: Record<string, DnsOutcome> = { ENOTFOUND: 'nxdomain', ENODATA: 'nodata', ETIMEOUT: 'timeout', ECONNREFUSED: 'refused', EREFUSED: 'refused', ESERVFAIL: 'servfail' };

/**
 * Nameservers a query may go to: those the allow-list covers, plus loopback ones when the query runs
 * inside a workload's namespace (Docker's embedded resolver 127.0.0.11 is that namespace's own; a packet
 * to it never leaves it). The others are named, never queried.
 */
export function allowedNameservers(nameservers: readonly string[], allowList: AllowList, insideNamespace: boolean): { allowed: string[]; denied: string[] } {
  const local = insideNamespace ? new AllowList(['127.0.0.0/8', '::1/128'], [{ from: 53, to: 53 }]) : undefined;
  const allowed: string[] = [];
  const denied: string[] = [];
  for (const ns of nameservers) {
    const target = { kind: 'dns', ip: ns, port: 53 };
    (allowList.check(target).allowed || local?.check(target).allowed ? allowed : denied).push(ns);
  }
  return { allowed, denied };
}

async function ask(resolver: Resolver, name: string, type: DnsType): Promise<string[]> {
  switch (type) {
    case 'A':
      return resolver.resolve4(name);
    case 'AAAA':
      return resolver.resolve6(name);
    case 'PTR':
      return resolver.resolvePtr(name);
    case 'SRV':
      return (await resolver.resolveSrv(name)).map((r) => `${r.priority} ${r.weight} ${r.port} ${r.name}`);
  }
}

/**
 * Each candidate in order until one answers, as a stub resolver does; the rest are `not-tried`. The
 * caller has already filtered the nameservers (allowedNameservers).
 */
export async function resolveCandidates(req: DnsRequest): Promise<DnsResult[]> {
  const results: DnsResult[] = [];
  if (req.nameservers.length === 0) {
    return req.candidates.map((c) => ({ name: c.name, type: req.type, outcome: 'denied', answers: [], detail: 'no nameserver may be queried' }));
  }
  const resolver = new Resolver({ timeout: req.timeoutMs, tries: 1 });
  resolver.setServers(req.nameservers);
  let answered = false;
  for (const c of req.candidates) {
    if (answered) {
      results.push({ name: c.name, type: req.type, outcome: 'not-tried', answers: [], detail: 'the resolver stops at the first answer' });
      continue;
    }
    const start = performance.now();
    try {
      const answers = await ask(resolver, c.name, req.type);
      results.push({ name: c.name, type: req.type, outcome: 'answer', answers, ms: roundMs(performance.now() - start) });
      answered = true;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      const outcome = ERRORS[code] ?? 'error';
      results.push({ name: c.name, type: req.type, outcome, answers: [], ms: roundMs(performance.now() - start), ...(outcome === 'error' ? { detail: `${code || 'error'}: ${(err as Error).message}` } : {}) });
    }
  }
  return results;
}

/** A DNS question answered as some resolver would: its configuration, the names it tried, the outcomes. */
export interface DnsLookup {
  /** Where the queries were sent from, in words. */
  from: string;
  /** Which resolv.conf was read (`/etc/resolv.conf`, `/proc/<pid>/root/etc/resolv.conf`). */
  resolvConfPath: string;
  conf: ResolvConf;
  candidates: CandidateName[];
  results: DnsResult[];
  /** Nameservers of that resolv.conf the allow-list kept netpeek from querying. */
  deniedNameservers: string[];
}

export interface DnsQuestion {
  name: string;
  type: DnsType;
  timeoutMs: number;
}
