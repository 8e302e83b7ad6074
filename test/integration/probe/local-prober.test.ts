import * as childProcess from 'node:child_process';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { LocalProber } from '../../../src/probe/local-prober.js';
import type { ProbeTarget } from '../../../src/probe/types.js';
import { describeNeeding, NETNS } from '../../support/backends.js';
import { createLab, leftovers, type Lab } from '../../support/netns.js';

/**
 * Real packets, all inside a lab this test builds: a bridge and two namespaces in a free 10.x/24.
 * "Unreachable" targets are unassigned addresses in that /24, so nothing leaves the machine.
 */

vi.mock('node:child_process', async (importOriginal) => {
  const mod = await importOriginal<typeof import('node:child_process')>();
  return { ...mod, spawn: vi.fn(mod.spawn) };
});
const spawnSpy = vi.mocked(childProcess.spawn);
const spawnedOf = (program: string) => spawnSpy.mock.calls.filter((c) => String(c[0]).split('/').pop() === program);

describeNeeding(NETNS, 'LocalProber against a network-namespace lab', () => {
  let lab: Lab;
  let a: string;
  let b: string;
  const prober = new LocalProber();

  beforeAll(async () => {
    lab = await createLab({ nodes: 2 });
    a = lab.nodes[0]!.ip;
    b = lab.nodes[1]!.ip;
    await lab.tcpListener(lab.nodes[0]!.ns, 8080);
    await lab.httpServer(lab.nodes[1]!.ns, 8081, { 'index.html': 'hello from the lab\n' });
  });

  afterAll(async () => {
    await lab?.destroy();
    if (lab) expect(leftovers(lab.id)).toEqual({ namespaces: [], links: [] });
  });

  beforeEach(() => {
    spawnSpy.mockClear();
  });

  it('ICMP: a live address answers every echo request', async () => {
    const [r] = await prober.probe([{ kind: 'icmp', ip: a }], { timeoutMs: 500, count: 3 });
    expect(r).toMatchObject({ kind: 'icmp', ip: a, ok: true, icmp: { sent: 3, received: 3, lossPct: 0 } });
    expect(r?.icmp?.avgMs).toBeGreaterThan(0);
    expect(r?.icmp?.minMs).toBeLessThanOrEqual(r?.icmp?.maxMs ?? 0);
    expect(r?.ms).toBe(r?.icmp?.avgMs);
  });

  it('ICMP: an unassigned address in the lab subnet loses everything', async () => {
    const [r] = await prober.probe([{ kind: 'icmp', ip: lab.unassigned(0) }], { timeoutMs: 300, count: 2 });
    expect(r).toMatchObject({ ok: false, error: 'unreachable', icmp: { sent: 2, received: 0, lossPct: 100 } });
    expect(r?.icmp?.avgMs).toBeUndefined();
  });

  it('TCP: open, refused, and nobody there', async () => {
    const t0 = performance.now();
    const r = await prober.probe(
      [
        { kind: 'tcp', ip: a, port: 8080 },
        { kind: 'tcp', ip: a, port: 8099 },
        { kind: 'tcp', ip: lab.unassigned(1), port: 8080 },
        { kind: 'tcp', ip: lab.unassigned(2), port: 8080 },
      ] as ProbeTarget[],
      { timeoutMs: 5000, deadlineMs: 8000 },
    );
    expect(r[0]).toMatchObject({ ok: true, port: 8080, ms: expect.any(Number) });
    expect(r[1]).toMatchObject({ ok: false, error: 'refused' });
    // No ARP answer: the kernel gives up with EHOSTUNREACH after about 3 s, within our 5 s timeout.
    expect(r[2]).toMatchObject({ ok: false, error: 'unreachable', detail: expect.stringContaining('EHOSTUNREACH') });
    expect(performance.now() - t0).toBeLessThan(6000);
    const [short] = await prober.probe([{ kind: 'tcp', ip: lab.unassigned(3), port: 8080 }], { timeoutMs: 400 });
    expect(short).toMatchObject({ ok: false, error: 'timeout' });
  });

  it('HTTP: status and time to first byte from busybox httpd', async () => {
    const r = await prober.probe(
      [
        { kind: 'http', ip: b, port: 8081, path: '/' },
        { kind: 'http', ip: b, port: 8081, path: '/missing' },
        { kind: 'http', ip: b, port: 8099 },
      ],
      { timeoutMs: 1000 },
    );
    expect(r[0]).toMatchObject({ ok: true, http: { status: 200, ttfbMs: expect.any(Number) } });
    expect(r[1]).toMatchObject({ ok: false, error: 'error', http: { status: 404 } });
    expect(r[2]).toMatchObject({ ok: false, error: 'refused' });
  });

  it('normalises odd spellings before sending', async () => {
    const mapped = `::ffff:${a}`;
    const r = await prober.probe([{ kind: 'icmp', ip: mapped }, { kind: 'tcp', ip: mapped, port: 8080 }], { timeoutMs: 500 });
    expect(r.map((x) => [x.ip, x.ok])).toEqual([
      [a, true],
      [a, true],
    ]);
    expect(spawnedOf('fping')[0]?.[1]).toContain(a);
  });

  it('probes a batch of 50 addresses with ONE fping process', async () => {
    const ips = [a, b, lab.gateway, ...Array.from({ length: 47 }, (_, i) => lab.unassigned(i))];
    const t0 = performance.now();
    const r = await prober.probe(
      ips.map((ip) => ({ kind: 'icmp', ip })),
      { timeoutMs: 500, count: 1 },
    );
    const elapsed = performance.now() - t0;
    const fpings = spawnedOf('fping');
    expect(fpings).toHaveLength(1);
    expect(spawnedOf('ping')).toHaveLength(0);
    const args = fpings[0]?.[1] as string[];
    expect(args.slice(args.indexOf('--') + 1)).toEqual(ips);
    expect(r.slice(0, 3).every((x) => x.ok)).toBe(true);
    expect(r.slice(3).every((x) => !x.ok && x.icmp?.lossPct === 100)).toBe(true);
    expect(elapsed).toBeLessThan(3000);
    console.info(`50-target ICMP batch (3 live, 47 silent, timeout 500 ms): ${elapsed.toFixed(0)} ms, 1 fping process`);
  });

  it('falls back to ping, one process per address, when fping is missing', async () => {
    const fallback = new LocalProber({ fpingPath: '/nonexistent/fping' });
    const r = await fallback.probe(
      [
        { kind: 'icmp', ip: a },
        { kind: 'icmp', ip: lab.unassigned(0) },
      ],
      { timeoutMs: 300, count: 2 },
    );
    expect(r[0]).toMatchObject({ ok: true, icmp: { sent: 2, received: 2, lossPct: 0 } });
    expect(r[1]).toMatchObject({ ok: false, error: 'unreachable', icmp: { received: 0, lossPct: 100 } });
    expect(spawnedOf('ping')).toHaveLength(2);
    expect(await fallback.icmpTool()).toBe('ping');
  });

  it('stops fping at the batch deadline and keeps what it had', async () => {
    const t0 = performance.now();
    const [r] = await prober.probe([{ kind: 'icmp', ip: a }], { timeoutMs: 500, count: 10, deadlineMs: 700 });
    expect(performance.now() - t0).toBeLessThan(1800);
    expect(r?.ok).toBe(true);
    expect(r?.icmp?.sent).toBeLessThan(10);
  });

  it('kills fping and rejects when aborted', async () => {
    const aborter = new AbortController();
    setTimeout(() => aborter.abort(new Error('caller gave up')), 200);
    await expect(prober.probe([{ kind: 'icmp', ip: lab.unassigned(4) }], { timeoutMs: 2000, count: 5, signal: aborter.signal })).rejects.toThrow('caller gave up');
    const child = spawnSpy.mock.results.at(-1)?.value as childProcess.ChildProcess;
    await new Promise((r) => setTimeout(r, 100));
    expect(child.signalCode ?? child.exitCode).not.toBeNull();
  });
});
