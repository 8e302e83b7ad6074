import { describe, expect, it } from 'vitest';
import { evaluateDockerUser, parseDockerUserRules } from '../../../src/net/docker-user-rules.js';

// As `iptables -S DOCKER-USER` prints them.
const CHAIN = `-N DOCKER-USER
-A DOCKER-USER -i eth0 -p tcp -m tcp --dport 22 -j ACCEPT
-A DOCKER-USER -s 172.18.0.3/32 -d 172.18.0.2/32 -p tcp -m tcp --dport 8080 -m comment --comment "block web to db" -j DROP
-A DOCKER-USER ! -s 10.0.0.0/8 -o br-1234567890ab -p tcp -m multiport --dports 5432,6000:6010 -j REJECT --reject-with icmp-port-unreachable
-A DOCKER-USER -m set --match-set blocked src -j DROP
-A DOCKER-USER -j RETURN`;

describe('DOCKER-USER rules', () => {
  const rules = parseDockerUserRules(CHAIN);

  it('reads each -A line with its index, target and comment; the -N line is not a rule', () => {
    expect(rules.map((r) => [r.index, r.target])).toEqual([[1, 'ACCEPT'], [2, 'DROP'], [3, 'REJECT'], [4, 'DROP'], [5, 'RETURN']]);
    expect(rules[1]!.comment).toBe('block web to db');
    expect(rules[1]!.raw).toBe('-A DOCKER-USER -s 172.18.0.3/32 -d 172.18.0.2/32 -p tcp -m tcp --dport 8080 -m comment --comment "block web to db" -j DROP');
  });

  it('the first matching DROP decides; another port or source goes on', () => {
    expect(evaluateDockerUser(rules, { src: '172.18.0.3', dst: '172.18.0.2', proto: 'tcp', dport: 8080, inIface: 'br-x', outIface: 'br-x' })).toMatchObject({ kind: 'dropped', rule: { index: 2 } });
    // 8081 from web: rule 2 does not match; rule 4 (an ipset netpeek cannot read) may.
    expect(evaluateDockerUser(rules, { src: '172.18.0.3', dst: '172.18.0.2', proto: 'tcp', dport: 8081, inIface: 'br-x', outIface: 'br-x' })).toMatchObject({ kind: 'maybe', rule: { index: 4 }, unknown: '--match-set blocked src' });
  });

  it('negation, interfaces and port ranges: REJECT from outside 10/8 to a multiport range on that bridge', () => {
    const p = { src: '192.0.2.7', dst: '172.19.0.2', proto: 'tcp' as const, dport: 6005, outIface: 'br-1234567890ab' };
    expect(evaluateDockerUser(rules, { ...p, inIface: 'eth1' })).toMatchObject({ kind: 'dropped', rule: { index: 3 } });
    expect(evaluateDockerUser(rules, { ...p, src: '10.1.2.3', inIface: 'eth1' }).kind).toBe('maybe');
    // An unknown in-interface: rule 1 (ACCEPT on eth0) cannot decide, and is not a drop.
    expect(evaluateDockerUser(rules, { ...p, dport: 22 })).toMatchObject({ kind: 'maybe', rule: { index: 4 } });
    expect(evaluateDockerUser(rules, { ...p, dport: 22, inIface: 'eth0' })).toMatchObject({ kind: 'passes', rule: { index: 1 } });
  });

  it('an unknown client address makes a source-matching DROP a "maybe"; an empty chain lets everything through', () => {
    expect(evaluateDockerUser(rules.slice(1, 2), { dst: '172.18.0.2', proto: 'tcp', dport: 8080 })).toMatchObject({ kind: 'maybe', unknown: "the client's address (172.18.0.3/32)" });
    expect(evaluateDockerUser(parseDockerUserRules('-N DOCKER-USER\n-A DOCKER-USER -j RETURN'), { dst: '172.18.0.2', proto: 'tcp', dport: 80 })).toMatchObject({ kind: 'passes', rule: { target: 'RETURN' } });
    expect(evaluateDockerUser([], { dst: '172.18.0.2', proto: 'tcp' })).toEqual({ kind: 'passes' });
  });
});
