/**
 * How a workload's stub resolver turns a name into queries: its resolv.conf (nameservers, search list,
 * ndots) and the order in which it tries the candidate names. Pure: text in, model and sentences out;
 * reading the file (through /proc/<pid>/root) and sending the queries happen elsewhere.
 */
import ipaddr from 'ipaddr.js';
import type { DnsRecordType } from '../core/query.js';

export interface ResolvConf {
  nameservers: string[];
  /** Search domains, in order (`search` wins over `domain`, the last line of either counts, as in glibc). */
  search: string[];
  /** A name with at least this many dots is tried as-is first (default 1). */
  ndots: number;
  /** Seconds per query before the next try (default 5). */
  timeoutSec: number;
  attempts: number;
}

/** glibc's limits: at most 3 nameservers are used; ndots is capped at 15. */
const MAX_NAMESERVERS = 3;
const MAX_NDOTS = 15;

export function parseResolvConf(text: string): ResolvConf {
  const conf: ResolvConf = { nameservers: [], search: [], ndots: 1, timeoutSec: 5, attempts: 2 };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const [key, ...words] = line.split(/\s+/);
    if (key === 'nameserver' && words[0] && conf.nameservers.length < MAX_NAMESERVERS) conf.nameservers.push(words[0]);
    else if (key === 'search' || key === 'domain') conf.search = (key === 'domain' ? words.slice(0, 1) : words).map((d) => d.replace(/\.$/, '')).filter((d) => d !== '');
    else if (key === 'options') {
      for (const w of words) {
        const m = /^(ndots|timeout|attempts):(\d+)$/.exec(w);
        if (m?.[1] === 'ndots') conf.ndots = Math.min(Number(m[2]), MAX_NDOTS);
        if (m?.[1] === 'timeout') conf.timeoutSec = Number(m[2]);
        if (m?.[1] === 'attempts') conf.attempts = Number(m[2]);
      }
    }
  }
  return conf;
}

/** The record types `dns --type` takes (the one list is the query flag's). */
export type DnsType = DnsRecordType;

/** One name the resolver will ask for, fully qualified (trailing dot), and why it is on the list. */
export interface CandidateName {
  name: string;
  /** `as-is`, or the search domain appended. */
  via: 'as-is' | { search: string };
}

const dots = (name: string) => (name.match(/\./g) ?? []).length;

/**
 * The names in the order glibc's resolver tries them: a name ending in "." is absolute (only itself);
 * one with at least `ndots` dots is tried as-is first, then with each search domain; otherwise each
 * search domain first and the name as-is last. PTR questions are reverse names, never searched.
 */
export function candidateNames(name: string, conf: Pick<ResolvConf, 'search' | 'ndots'>, type: DnsType = 'A'): CandidateName[] {
  if (type === 'PTR') return [{ name: reverseName(name) ?? absolute(name), via: 'as-is' }];
  if (name.endsWith('.')) return [{ name, via: 'as-is' }];
  const searched = conf.search.map((s): CandidateName => ({ name: `${name}.${s}.`, via: { search: s } }));
  const asIs: CandidateName = { name: `${name}.`, via: 'as-is' };
  return dots(name) >= conf.ndots ? [asIs, ...searched] : [...searched, asIs];
}

function absolute(name: string): string {
  return name.endsWith('.') ? name : `${name}.`;
}

/** 10.1.0.30 → 30.0.1.10.in-addr.arpa.; IPv6 by nibbles under ip6.arpa.; undefined for a non-address. */
export function reverseName(ip: string): string | undefined {
  if (!ipaddr.isValid(ip)) return undefined;
  const addr = ipaddr.process(ip);
  if (addr.kind() === 'ipv4') return `${addr.toByteArray().reverse().join('.')}.in-addr.arpa.`;
  const hex = addr.toByteArray().map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${[...hex].reverse().join('.')}.ip6.arpa.`;
}

/**
 * The cost of ndots for a name that is meant to be external: how many queries go to search domains
 * before the real one, and the fix. Undefined when the name is tried as-is first anyway.
 */
export function ndotsCostSentence(name: string, conf: Pick<ResolvConf, 'search' | 'ndots'>, type: DnsType = 'A'): string | undefined {
  if (type === 'PTR' || name.endsWith('.') || conf.search.length === 0 || dots(name) >= conf.ndots) return undefined;
  const wasted = conf.search.length;
  return (
    `${name} has ${dots(name)} dot${dots(name) === 1 ? '' : 's'}, fewer than ndots:${conf.ndots}, so the resolver first tries ${wasted} search domain${wasted === 1 ? '' : 's'} ` +
    `(${conf.search.join(', ')}) — ${wasted} extra round trip${wasted === 1 ? '' : 's'} (twice that when it asks for A and AAAA) before ${name}. itself. ` +
    `If ${name} is an external name, write it with a trailing dot (${name}.) or lower ndots (dnsConfig options ndots:2 in a pod spec).`
  );
}
