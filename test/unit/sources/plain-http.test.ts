import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { plainGet } from '../../../src/sources/plain-http.js';

/** Real loopback servers: node:http's own server for the framings it sends, a raw socket for what a broken one sends. */
describe('plainGet: one GET over its own connection, answers as servers frame them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'netpeek-plain-http-'));
  const servers: (Server | HttpServer)[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    rmSync(dir, { recursive: true, force: true });
  });

  const seen: { url?: string; headers: Record<string, string | string[] | undefined> }[] = [];
  const big = JSON.stringify({ items: Array.from({ length: 3000 }, (_, i) => ({ name: `pod-${i}`, ip: `10.244.${i >> 8}.${i & 255}` })) });
  async function httpServer(where: string | 0): Promise<{ socketPath: string } | { host: string; port: number }> {
    const server = createHttpServer((req, res) => {
      seen.push({ url: req.url, headers: req.headers });
      if (req.url === '/length') return res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': 11 }).end('{"ok":true}');
      if (req.url === '/chunked') {
        res.writeHead(200, { 'Content-Type': 'application/json' }); // no length: node:http sends it chunked
        for (let i = 0; i < big.length; i += 1000) res.write(big.slice(i, i + 1000));
        return res.end();
      }
      if (req.url === '/missing') return res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"message":"No such container: x"}');
      res.writeHead(500).end();
    });
    servers.push(server);
    await new Promise<void>((resolve) => (where === 0 ? server.listen(0, '127.0.0.1', resolve) : server.listen(where, resolve)));
    return where === 0 ? { host: '127.0.0.1', port: (server.address() as { port: number }).port } : { socketPath: where };
  }
  async function rawServer(answer: string, o: { close: boolean }): Promise<{ socketPath: string }> {
    const path = join(dir, `raw-${servers.length}.sock`);
    const server = createServer((s) => s.once('data', () => (o.close ? s.end(answer) : s.write(answer))));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(path, resolve));
    return { socketPath: path };
  }

  it('a Content-Length body, over a unix socket and over TCP, with the headers asked for', async () => {
    for (const target of [await httpServer(join(dir, 'http.sock')), await httpServer(0)]) {
      const r = await plainGet(target, '/length', { Accept: 'application/json', Authorization: 'Bearer t0k' });
      expect({ status: r.statusCode, body: r.body.toString() }).toEqual({ status: 200, body: '{"ok":true}' });
      expect(seen.at(-1)!.headers).toMatchObject({ accept: 'application/json', authorization: 'Bearer t0k', connection: 'close' });
    }
  });

  it('a chunked body of many chunks, whole and in order', async () => {
    const r = await plainGet(await httpServer(0), '/chunked', {});
    expect(r.body.toString()).toBe(big);
  });

  it('a chunked answer is whole at its last chunk, without waiting for the server to close (chunk extensions ignored)', async () => {
    const r = await plainGet(await rawServer('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n[1,2,\r\n2;ext=1\r\n3]\r\n0\r\n\r\n', { close: false }), '/x', {});
    expect(r.body.toString()).toBe('[1,2,3]');
  });

  it('a non-2xx answer is an answer, with its status and body', async () => {
    const r = await plainGet(await httpServer(0), '/missing', {});
    expect({ status: r.statusCode, body: JSON.parse(r.body.toString()) as unknown }).toEqual({ status: 404, body: { message: 'No such container: x' } });
  });

  it('a body framed by the end of the connection', async () => {
    const r = await plainGet(await rawServer('HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n[1,2,3]', { close: true }), '/x', {});
    expect(r.body.toString()).toBe('[1,2,3]');
  });

  it('a server that hangs up mid-answer, or sends no HTTP, fails like node:http (ECONNRESET; a malformed answer)', async () => {
    await expect(plainGet(await rawServer('HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{"cut', { close: true }), '/x', {})).rejects.toMatchObject({ code: 'ECONNRESET' });
    await expect(plainGet(await rawServer('', { close: true }), '/x', {})).rejects.toMatchObject({ code: 'ECONNRESET' });
    await expect(plainGet(await rawServer('SSH-2.0-OpenSSH_9.2\r\n\r\n', { close: true }), '/x', {})).rejects.toThrow(/malformed HTTP answer/);
  });

  it('no socket: the socket error itself (ENOENT); an abort destroys the connection and rejects', async () => {
    await expect(plainGet({ socketPath: join(dir, 'missing.sock') }, '/x', {})).rejects.toMatchObject({ code: 'ENOENT' });
    const silent = await rawServer('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n', { close: false });
    const controller = new AbortController();
    const pending = plainGet(silent, '/x', {}, controller.signal);
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });
});
