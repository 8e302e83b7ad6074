import * as childProcess from 'node:child_process';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AllowList } from '../../../src/net/address-policy.js';
import { FPING_SHARD_SIZE, LocalProber, shard } from '../../../src/probe/local-prober.js';
import type { ProbeTarget } from '../../../src/probe/types.js';

vi.mock('node:child_process', async (importOriginal) => {
  const mod = await importOriginal<typeof import('node:child_process')>();
  return { ...mod, spawn: vi.fn(mod.spawn) };
});

const sockets = new Set<net.Socket>();

/** Only 127.0.0.1 listeners this test starts. */
function listen(server: net.Server): Promise<number> {
  server.on('connection', (sock: net.Socket) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

const servers: net.Server[] = [];
let open: number;
let closed: number;
let web: number;
let silent: number;
let garbage: number;
let webHits = 0;
let silentAccepts = 0;
let silentConcurrent = 0;
const silentAcceptTimes: number[] = [];

beforeAll(async () => {
  const o = net.createServer((s) => s.destroy());
  const w = http.createServer((req, res) => {
    webHits++;
    if (req.url === '/') res.writeHead(200).end('hello');
    else if (req.url === '/moved') res.writeHead(302, { location: '/' }).end();
    else res.writeHead(404).end();
  });
  const s = net.createServer((sock) => {
    silentAccepts++;
    silentConcurrent++;
    silentAcceptTimes.push(performance.now());
    sock.on('error', () => {});
    sock.on('close', () => silentConcurrent--);
    sock.resume(); // read (and drop) what comes, so the client's FIN is seen
  });
  const g = net.createServer((sock) => {
    sock.on('error', () => {});
    sock.end('SSH-2.0-OpenSSH_9.2\r\nnot http at all\r\n\r\n');
  });
  servers.push(o, w, s, g);
  [open, web, silent, garbage] = await Promise.all([listen(o), listen(w), listen(s), listen(g)]);
  const c = net.createServer();
  closed = await listen(c);
  await new Promise((r) => c.close(r));
});

afterAll(async () => {
  for (const sock of sockets) sock.destroy();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

const spawnSpy = vi.mocked(childProcess.spawn);
const lo = '127.0.0.1';

describe('LocalProber TCP and HTTP (loopback listeners)', () => {
  const prober = new LocalProber();

  it('tells open, refused and timeout apart, in target order', async () => {
    const r = await prober.probe(
      [
        { kind: 'tcp', ip: lo, port: open },
        { kind: 'tcp', ip: lo, port: closed },
        { kind: 'tcp', ip: '::ffff:127.0.0.1', port: open },
      ],
      { timeoutMs: 1000 },
    );
    expect(r[0]).toMatchObject({ kind: 'tcp', ip: lo, port: open, ok: true, ms: expect.any(Number) });
    expect(r[1]).toMatchObject({ ok: false, error: 'refused' });
    expect(r[2]).toMatchObject({ ok: true, ip: lo });
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it('reads an HTTP status and does not follow redirects', async () => {
    const before = webHits;
    const r = await prober.probe(
      [
        { kind: 'http', ip: lo, port: web, path: '/' },
        { kind: 'http', ip: lo, port: web, path: '/moved' },
        { kind: 'http', ip: lo, port: web, path: '/missing' },
        { kind: 'http', ip: lo, port: garbage },
        { kind: 'http', ip: lo, port: silent },
      ],
      { timeoutMs: 500 },
    );
    expect(r[0]).toMatchObject({ ok: true, http: { status: 200, ttfbMs: expect.any(Number) } });
    expect(r[1]).toMatchObject({ ok: true, http: { status: 302 } });
    expect(r[2]).toMatchObject({ ok: false, error: 'error', http: { status: 404 }, detail: 'answered HTTP 404' });
    expect(r[3]).toMatchObject({ ok: false, error: 'error', detail: expect.stringContaining('not HTTP') });
    expect(r[4]).toMatchObject({ ok: false, error: 'timeout' });
    expect(webHits - before).toBe(3);
  });

  it('caps probes in flight', async () => {
    silentAcceptTimes.length = 0;
    const t0 = performance.now();
    const capped = new LocalProber({ maxConcurrency: 2 });
    // The silent listener accepts and never answers, so each HTTP probe holds its connection until its timeout.
    const targets: ProbeTarget[] = Array.from({ length: 6 }, () => ({ kind: 'http', ip: lo, port: silent }));
    const r = await capped.probe(targets, { timeoutMs: 200 });
    expect(r.every((x) => x.error === 'timeout')).toBe(true);
    // Two at a time, 200 ms each: three waves.
    expect(silentAcceptTimes.filter((t) => t - t0 < 150)).toHaveLength(2);
    expect(silentAcceptTimes).toHaveLength(6);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(550);
  });

  it('reports what the batch deadline cut off as timeouts', async () => {
    const t0 = performance.now();
    const r = await prober.probe([{ kind: 'http', ip: lo, port: silent }], { timeoutMs: 5000, deadlineMs: 200 });
    expect(performance.now() - t0).toBeLessThan(1500);
    expect(r[0]).toMatchObject({ ok: false, error: 'timeout' });
    const accepts = silentAccepts;
    const none = await prober.probe([{ kind: 'tcp', ip: lo, port: silent }, { kind: 'icmp', ip: lo }], { timeoutMs: 1000, deadlineMs: 0 });
    expect(none.map((x) => x.error)).toEqual(['timeout', 'timeout']);
    expect(silentAccepts).toBe(accepts);
  });

  it('rejects on abort and closes its sockets', async () => {
    const aborter = new AbortController();
    setTimeout(() => aborter.abort(new Error('stop')), 100);
    const t0 = performance.now();
    await expect(prober.probe([{ kind: 'http', ip: lo, port: silent }], { timeoutMs: 5000, signal: aborter.signal })).rejects.toThrow('stop');
    expect(performance.now() - t0).toBeLessThan(1000);
    await new Promise((r) => setTimeout(r, 50));
    expect(silentConcurrent).toBe(0);
  });
});

describe('LocalProber never hands a hostname or a denied target to anything', () => {
  it('answers bad addresses itself, without a process or a socket', async () => {
    spawnSpy.mockClear();
    const accepts = silentAccepts;
    const r = await new LocalProber().probe(
      [
        { kind: 'icmp', ip: 'localhost' },
        { kind: 'icmp', ip: 'example.com' },
        { kind: 'icmp', ip: '1.2.3.4.5' },
        { kind: 'tcp', ip: 'localhost', port: silent },
        { kind: 'tcp', ip: lo },
        { kind: 'http', ip: lo, port: web, path: '/a b\r\nHost: evil' },
      ],
      { timeoutMs: 500 },
    );
    expect(r.map((x) => x.error)).toEqual(['error', 'error', 'error', 'error', 'error', 'error']);
    expect(r[5]?.detail).toContain('HTTP path');
    expect(r[0]?.detail).toContain('hostname');
    expect(r[4]?.detail).toContain('needs a port');
    expect(spawnSpy).not.toHaveBeenCalled();
    expect(silentAccepts).toBe(accepts);
  });

  it('reports allow-list denials as denied with the reason', async () => {
    spawnSpy.mockClear();
    const accepts = silentAccepts;
    const prober = new LocalProber({ allowList: new AllowList(['10.213.7.0/24']) });
    const r = await prober.probe(
      [
        { kind: 'tcp', ip: lo, port: silent },
        { kind: 'icmp', ip: '0xa9fea9fe' },
      ],
      { timeoutMs: 500 },
    );
    expect(r[0]).toMatchObject({ ok: false, error: 'denied', detail: 'target 127.0.0.1 is loopback and not in the allow-list' });
    expect(r[1]).toMatchObject({ ok: false, error: 'denied', ip: '169.254.169.254', detail: 'target 169.254.169.254 is link-local/metadata and not in the allow-list' });
    expect(spawnSpy).not.toHaveBeenCalled();
    expect(silentAccepts).toBe(accepts);
  });
});

describe('LocalProber without ICMP programs', () => {
  it('says so instead of failing', async () => {
    const none = new LocalProber({ fpingPath: '/nonexistent/fping', pingPath: '/nonexistent/ping' });
    const [r] = await none.probe([{ kind: 'icmp', ip: '10.213.7.10' }], { timeoutMs: 100 });
    expect(r).toMatchObject({ ok: false, error: 'error', detail: 'neither fping nor ping is installed' });
    expect(await none.icmpTool()).toBeUndefined();
    const strict = new LocalProber({ icmp: 'fping', fpingPath: '/nonexistent/fping' });
    expect((await strict.probe([{ kind: 'icmp', ip: '10.213.7.10' }], { timeoutMs: 100 }))[0]).toMatchObject({ detail: 'fping is not installed' });
  });

  it('rejects a non-positive timeout', async () => {
    await expect(new LocalProber().probe([], { timeoutMs: 0 })).rejects.toThrow(RangeError);
  });
});

describe('shard (large ICMP batches across a few fping processes)', () => {
  it('keeps small batches in one process and splits big ones evenly, up to the cap', () => {
    const ips = (n: number) => Array.from({ length: n }, (_, i) => `10.9.${i >> 8}.${i & 255}`);
    expect(shard(ips(50), FPING_SHARD_SIZE, 4)).toHaveLength(1);
    expect(shard(ips(256), FPING_SHARD_SIZE, 4)).toHaveLength(1);
    expect(shard(ips(257), FPING_SHARD_SIZE, 4).map((p) => p.length)).toEqual([129, 128]);
    const big = shard(ips(1000), FPING_SHARD_SIZE, 4);
    expect(big.map((p) => p.length)).toEqual([250, 250, 250, 250]);
    expect(big.flat()).toEqual(ips(1000));
    expect(shard(ips(5000), FPING_SHARD_SIZE, 4)).toHaveLength(4);
    expect(shard([], FPING_SHARD_SIZE, 4)).toEqual([]);
  });
});
