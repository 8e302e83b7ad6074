import { cidrContains } from './subnet.js';

/**
 * The Docker host's own firewall as `why` reads it: the rules of iptables' DOCKER-USER chain (the
 * chain Docker leaves to the administrator, jumped to first from FORWARD), as `iptables -S DOCKER-USER`
 * prints them, and which of them decides one new TCP connection. Pure: text in, a verdict out. A rule
 * with a match netpeek does not understand is "may match", never silently ignored.
 */

export interface FirewallRule {
  /** 1-based, as `iptables -D DOCKER-USER <n>` counts. */
  index: number;
  /** The line as iptables printed it. */
  raw: string;
  target: string;
  comment?: string;
  /** Matches: each is checked against the packet. */
  matches: Match[];
}

type Match =
  | { kind: 'src' | 'dst'; cidr: string; negate: boolean }
  | { kind: 'proto'; proto: string; negate: boolean }
  | { kind: 'dport'; ranges: [number, number][]; negate: boolean }
  | { kind: 'in' | 'out'; iface: string; negate: boolean }
  | { kind: 'ctstate'; states: string[]; negate: boolean }
  | { kind: 'unknown'; text: string };

/** One new connection through FORWARD. Unknown fields (undefined) make a rule that tests them "may match". */
export interface ForwardedPacket {
  src?: string;
  dst: string;
  proto: 'tcp' | 'udp';
  dport?: number;
  inIface?: string;
  outIface?: string;
}

export type FirewallVerdict =
  /** A DROP or REJECT rule matches: the path is cut here. */
  | { kind: 'dropped'; rule: FirewallRule }
  /** A DROP or REJECT rule may match (it tests something netpeek does not know about this packet). */
  | { kind: 'maybe'; rule: FirewallRule; unknown: string }
  /** An ACCEPT or RETURN decides first, or nothing matches: the chain lets it through. */
  | { kind: 'passes'; rule?: FirewallRule };

/** Splits a rule line like a shell would (iptables quotes comments with spaces). */
function tokens(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]!);
  return out;
}

function ports(spec: string): [number, number][] {
  return spec.split(',').map((p) => {
    const [a, b] = p.split(':');
    const lo = Number(a || 0);
    return [lo, b === undefined ? lo : Number(b || 65535)];
  });
}

/** The rules of `iptables -S DOCKER-USER` (the `-N` line and other chains' lines are dropped). */
export function parseDockerUserRules(text: string, chain = 'DOCKER-USER'): FirewallRule[] {
  const rules: FirewallRule[] = [];
  for (const line of text.split('\n').map((l) => l.trim())) {
    const t = tokens(line);
    if (t[0] !== '-A' || t[1] !== chain) continue;
    const rule: FirewallRule = { index: rules.length + 1, raw: line, target: '', matches: [] };
    let negate = false;
    for (let i = 2; i < t.length; i += 1) {
      const opt = t[i]!;
      const arg = t[i + 1] ?? '';
      if (opt === '!') {
        negate = true;
        continue;
      }
      const take = (m: Match) => {
        rule.matches.push(m);
        i += 1;
      };
      if (opt === '-s' || opt === '--source') take({ kind: 'src', cidr: arg, negate });
      else if (opt === '-d' || opt === '--destination') take({ kind: 'dst', cidr: arg, negate });
      else if (opt === '-p' || opt === '--protocol') take({ kind: 'proto', proto: arg.toLowerCase(), negate });
      else if (opt === '--dport' || opt === '--destination-port' || opt === '--dports') take({ kind: 'dport', ranges: ports(arg), negate });
      else if (opt === '-i' || opt === '--in-interface') take({ kind: 'in', iface: arg, negate });
      else if (opt === '-o' || opt === '--out-interface') take({ kind: 'out', iface: arg, negate });
      else if (opt === '--ctstate' || opt === '--state') take({ kind: 'ctstate', states: arg.split(','), negate });
      else if (opt === '--comment') {
        rule.comment = arg;
        i += 1;
      } else if (opt === '-m') i += 1; // the module name; its options follow and are read above
      else if (opt === '-j' || opt === '--jump') {
        rule.target = arg;
        i += 1;
        // REJECT's --reject-with and the like describe the action, not the match.
        while (t[i + 1] !== undefined && t[i + 1]!.startsWith('--')) i += 2;
      } else {
        // An option netpeek does not model (--sport, -m set, -m mark …), with its arguments (--match-set NAME src).
        const args: string[] = [];
        while (t[i + 1] !== undefined && !t[i + 1]!.startsWith('-') && t[i + 1] !== '!') args.push(t[++i]!);
        rule.matches.push({ kind: 'unknown', text: [`${negate ? '! ' : ''}${opt}`, ...args].join(' ') });
      }
      negate = false;
    }
    rules.push(rule);
  }
  return rules;
}

function inside(cidr: string, ip: string): boolean {
  try {
    return cidrContains(cidr.includes('/') ? cidr : `${cidr}/${ip.includes(':') ? 128 : 32}`, ip);
  } catch {
    return false;
  }
}

const ifaceMatches = (pattern: string, iface: string) => (pattern.endsWith('+') ? iface.startsWith(pattern.slice(0, -1)) : pattern === iface);

/** true, false, or the reason it is not known. */
function test(m: Match, p: ForwardedPacket): boolean | string {
  const flip = (v: boolean) => ('negate' in m && m.negate ? !v : v);
  switch (m.kind) {
    case 'src':
      return p.src === undefined ? `the client's address (${m.cidr})` : flip(inside(m.cidr, p.src));
    case 'dst':
      return flip(inside(m.cidr, p.dst));
    case 'proto':
      return flip(m.proto === 'all' || m.proto === p.proto);
    case 'dport':
      return p.dport === undefined ? 'the port' : flip(m.ranges.some(([a, b]) => p.dport! >= a && p.dport! <= b));
    case 'in':
      return p.inIface === undefined ? `the interface it arrives on (${m.iface})` : flip(ifaceMatches(m.iface, p.inIface));
    case 'out':
      return p.outIface === undefined ? `the interface it leaves on (${m.iface})` : flip(ifaceMatches(m.iface, p.outIface));
    case 'ctstate':
      // The first packet of a new connection is NEW.
      return flip(m.states.includes('NEW'));
    case 'unknown':
      return m.text;
  }
}

/** Which rule of the chain decides the packet: the first that matches, in order. */
export function evaluateDockerUser(rules: readonly FirewallRule[], p: ForwardedPacket): FirewallVerdict {
  for (const rule of rules) {
    const results = rule.matches.map((m) => test(m, p));
    if (results.some((r) => r === false)) continue;
    const unknown = results.filter((r): r is string => typeof r === 'string');
    const blocks = rule.target === 'DROP' || rule.target === 'REJECT';
    if (unknown.length === 0) {
      if (blocks) return { kind: 'dropped', rule };
      if (rule.target === 'ACCEPT' || rule.target === 'RETURN') return { kind: 'passes', rule };
      continue; // LOG and the like go on to the next rule
    }
    if (blocks) return { kind: 'maybe', rule, unknown: unknown.join(', ') };
  }
  return { kind: 'passes' };
}

/** How the route step says what the host firewall decided. */
export function firewallSentence(v: FirewallVerdict, what: string): string | undefined {
  const named = (r: FirewallRule) => `DOCKER-USER rule ${r.index} \`${r.raw}\`${r.comment ? ` (“${r.comment}”)` : ''}`;
  if (v.kind === 'dropped') return `the Docker host's firewall drops ${what}: ${named(v.rule)} ${v.rule.target === 'REJECT' ? 'rejects' : 'drops'} it before Docker's own rules.`;
  if (v.kind === 'maybe') return `the Docker host's firewall may drop ${what}: ${named(v.rule)} drops it if ${v.unknown} matches, which netpeek cannot tell.`;
  return undefined;
}
