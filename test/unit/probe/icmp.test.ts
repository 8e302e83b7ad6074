import { describe, expect, it } from 'vitest';
import { fpingArgs, icmpStats, parseFpingOutput, parsePingOutput } from '../../../src/probe/icmp.js';
import { icmpResult } from '../../../src/probe/local-prober.js';

describe('fping output', () => {
  it('builds an argument array that ends options before the addresses', () => {
    const args = fpingArgs(['10.0.0.1', 'fd00::1'], { count: 3, timeoutMs: 500, periodMs: 200 });
    expect(args).toEqual(['-C', '3', '-q', '-t', '500', '-p', '200', '-i', '1', '-r', '0', '--', '10.0.0.1', 'fd00::1']);
  });

  it('reads -C summaries, padding, IPv6 and ICMP errors, and ignores noise', () => {
    const text = [
      '10.213.7.10 : 0.083 0.034 0.015',
      '10.213.7.99 : - - -',
      '10.213.7.1  : 0.029 - 0.007',
      'fd00::1     : 1.5 2.5 3',
      'ICMP Host Unreachable from 10.213.7.1 for ICMP Echo sent to 10.213.7.98',
      '10.213.7.98 : - - -',
      'fping: some warning : that looks like a summary',
      '',
    ].join('\n');
    const { rtts, icmpErrors } = parseFpingOutput(text);
    expect(rtts.get('10.213.7.10')).toEqual([0.083, 0.034, 0.015]);
    expect(rtts.get('10.213.7.99')).toEqual([undefined, undefined, undefined]);
    expect(rtts.get('10.213.7.1')).toEqual([0.029, undefined, 0.007]);
    expect(rtts.get('fd00::1')).toEqual([1.5, 2.5, 3]);
    expect(icmpErrors.get('10.213.7.98')).toBe('Host Unreachable from 10.213.7.1');
    expect(rtts.size).toBe(5);
  });

  it('turns RTT lists into loss and min/avg/max', () => {
    expect(icmpStats([1, undefined, 3])).toEqual({ sent: 3, received: 2, lossPct: 33.333, minMs: 1, avgMs: 2, maxMs: 3 });
    expect(icmpStats([undefined, undefined])).toEqual({ sent: 2, received: 0, lossPct: 100 });
  });
});

describe('ping output (fallback)', () => {
  it('reads iputils', () => {
    const text = `PING 10.0.0.1 (10.0.0.1) 56(84) bytes of data.\n\n--- 10.0.0.1 ping statistics ---\n2 packets transmitted, 2 received, 0% packet loss, time 201ms\nrtt min/avg/max/mdev = 0.025/0.034/0.044/0.009 ms\n`;
    expect(parsePingOutput(text)).toEqual({ sent: 2, received: 2, lossPct: 0, minMs: 0.025, avgMs: 0.034, maxMs: 0.044 });
  });

  it('reads iputils with errors and busybox', () => {
    expect(parsePingOutput('2 packets transmitted, 0 received, +2 errors, 100% packet loss, time 202ms')).toEqual({ sent: 2, received: 0, lossPct: 100 });
    const bb = '3 packets transmitted, 3 packets received, 0% packet loss\nround-trip min/avg/max = 0.041/0.052/0.066 ms';
    expect(parsePingOutput(bb)).toEqual({ sent: 3, received: 3, lossPct: 0, minMs: 0.041, avgMs: 0.052, maxMs: 0.066 });
    expect(parsePingOutput('ping: connect: Network is unreachable')).toBeUndefined();
  });
});

describe('ICMP results', () => {
  const t = { kind: 'icmp' as const, ip: '10.0.0.1' };
  it('is ok with some replies, unreachable with none, a timeout past the deadline', () => {
    expect(icmpResult(t, { stats: icmpStats([1, undefined]) }, { timeoutMs: 500 })).toMatchObject({ ok: true, ms: 1, detail: '1 of 2 echo replies came back' });
    expect(icmpResult(t, { stats: icmpStats([undefined]) }, { timeoutMs: 500 })).toMatchObject({ ok: false, error: 'unreachable', detail: 'no echo reply to 1 request within 500 ms', icmp: { lossPct: 100 } });
    expect(icmpResult(t, { note: 'no answer before the batch deadline' }, { timeoutMs: 500 })).toMatchObject({ ok: false, error: 'timeout' });
    expect(icmpResult(t, undefined, { timeoutMs: 500 })).toMatchObject({ ok: false, error: 'timeout' });
  });
});
