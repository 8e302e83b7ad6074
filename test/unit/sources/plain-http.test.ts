import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AnswerReader, plainGet, type PlainResponse } from '../../../src/sources/plain-http.js';

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
  async function rawServer(answer: string, o: { close: boolean; byteByByte?: boolean; closed?: () => void }): Promise<{ socketPath: string }> {
    const path = join(dir, `raw-${servers.length}.sock`);
    const server = createServer((s) => {
      s.on('close', () => o.closed?.());
      s.on('error', () => {}); // the client hung up first (a cap, a deadline): nothing for the server to do
      s.once('data', async () => {
        if (!o.byteByByte) return o.close ? s.end(answer) : s.write(answer);
        // One write per byte, a turn of the event loop apart: the client reads the answer in as many pieces as the kernel passes on.
        for (const byte of Buffer.from(answer, 'latin1')) {
          if (s.destroyed) return;
          s.write(Buffer.of(byte));
          await new Promise((r) => setTimeout(r, 1));
        }
        if (o.close) s.end();
      });
    });
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
    const pending = plainGet(silent, '/x', {}, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('an answer written a byte at a time by the server is read whole (Content-Length, chunked, close-delimited)', async () => {
    const length = await plainGet(await rawServer('HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n{"ok":true}', { close: false, byteByByte: true }), '/x', {});
    expect(length.body.toString()).toBe('{"ok":true}');
    const chunked = await plainGet(await rawServer(CHUNKED, { close: false, byteByByte: true }), '/x', {});
    expect(chunked.body.toString()).toBe('[1,2,3]');
    const closed = await plainGet(await rawServer('HTTP/1.0 200 OK\r\n\r\n[1,2,3]', { close: true, byteByByte: true }), '/x', {});
    expect(closed.body.toString()).toBe('[1,2,3]');
  });

  it('a body over the cap rejects naming the path and the cap, whatever frames it; one at the cap is an answer', async () => {
    const cap = { maxBodyBytes: 1024 };
    const server = await httpServer(0);
    await expect(plainGet(server, '/chunked', {}, cap)).rejects.toThrow('GET /chunked answered a body of more than 1024 bytes');
    await expect(plainGet(await rawServer(`HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n`, { close: false }), '/containers/json', {}, cap)).rejects.toThrow(
      "GET /containers/json answered a body of more than 1024 bytes (netpeek's limit)",
    );
    await expect(plainGet(await rawServer(`HTTP/1.0 200 OK\r\n\r\n${'x'.repeat(1025)}`, { close: true }), '/x', {}, cap)).rejects.toThrow(/more than 1024 bytes/);
    expect((await plainGet(await rawServer(`HTTP/1.0 200 OK\r\n\r\n${'x'.repeat(1024)}`, { close: true }), '/x', {}, cap)).body.length).toBe(1024);
    expect((await plainGet(server, '/chunked', {})).body.length).toBe(big.length); // the default cap (64 MiB) is far above a large list
  });

  it('a connection closed early says how far the answer got', async () => {
    await expect(plainGet(await rawServer('HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{"cut', { close: true }), '/x?all=1', {})).rejects.toMatchObject({
      code: 'ECONNRESET',
      message: 'socket hang up: the server closed the connection after 5 of 50 body bytes (GET /x)',
    });
    await expect(plainGet(await rawServer('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n[1,2,\r\n', { close: true }), '/x', {})).rejects.toThrow(
      /after 5 bytes of a chunked body, before its last chunk/,
    );
    await expect(plainGet(await rawServer('HTTP/1.1 200 OK\r\nContent-Le', { close: true }), '/x', {})).rejects.toThrow(/inside the headers/);
  });

  it('a deadline (AbortSignal.timeout) against a server that never finishes rejects, and the connection is closed', async () => {
    let closed!: () => void;
    const gone = new Promise<void>((r) => (closed = r));
    const stalled = await rawServer('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12', { close: false, closed });
    await expect(plainGet(stalled, '/x', {}, { signal: AbortSignal.timeout(100) })).rejects.toMatchObject({ name: 'TimeoutError' });
    await gone;
  });
});

const CHUNKED = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n[1,2,\r\n2;ext=1\r\n3]\r\n0\r\n\r\n';

/** The reader alone, fed what a socket could deliver: the answer split at every byte, in two and in single bytes. */
describe('AnswerReader: an answer split anywhere across reads', () => {
  const answers: [string, string, number][] = [
    ['HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"ok":true}', '{"ok":true}', 200],
    [CHUNKED, '[1,2,3]', 200],
    ['HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n1b\r\n{"message":"No such thing"}\r\n0\r\n\r\n', '{"message":"No such thing"}', 404],
    ['HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', '', 200],
  ];
  const read = (parts: Buffer[]): PlainResponse | undefined => {
    const reader = new AnswerReader('/x');
    // The first answer is the one plainGet settles with (what follows a chunked body's last chunk is never read).
    for (const p of parts) {
      const r = reader.push(p);
      if (r) return r;
    }
    return undefined;
  };

  it.each(answers)('%j: the same answer from every split in two, and a byte at a time', (text, body, statusCode) => {
    const whole = Buffer.from(text, 'latin1');
    for (let i = 0; i <= whole.length; i++) {
      const r = read([whole.subarray(0, i), whole.subarray(i)]);
      expect({ at: i, statusCode: r?.statusCode, body: r?.body.toString() }).toEqual({ at: i, statusCode, body });
    }
    const bytes = read([...whole].map((b) => Buffer.of(b)));
    expect({ statusCode: bytes?.statusCode, body: bytes?.body.toString() }).toEqual({ statusCode, body });
  });

  it('a close-delimited body is whole only at the end of the connection, from any split', () => {
    const whole = Buffer.from('HTTP/1.0 200 OK\r\n\r\n[1,2,3]', 'latin1');
    for (let i = 0; i <= whole.length; i++) {
      const reader = new AnswerReader('/x');
      expect(reader.push(whole.subarray(0, i))).toBeUndefined();
      expect(reader.push(whole.subarray(i))).toBeUndefined();
      expect(reader.end().body.toString()).toBe('[1,2,3]');
    }
  });

  it('garbage where a chunk size or its CRLF belongs is a malformed answer, not a hang', () => {
    expect(() => new AnswerReader('/x').push(Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'))).toThrow(/bad chunk size/);
    expect(() => new AnswerReader('/x').push(Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY'))).toThrow(/no CRLF after a chunk/);
    expect(() => new AnswerReader('/x').push(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n'))).toThrow(/bad Content-Length/);
  });
});
