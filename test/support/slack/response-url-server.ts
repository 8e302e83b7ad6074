import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitUntil } from './fake-slack-api.js';

/**
 * A local `response_url` endpoint: Slack gives each slash command and button click a URL to POST replies
 * to (https://api.slack.com/interactivity/handling#message_responses). This one records every post.
 */
export interface ResponsePost {
  path: string;
  body: Record<string, unknown>;
  status: number;
}

export interface ResponseUrlServer {
  /** A fresh response_url for one request. */
  newUrl(): string;
  posts: ResponsePost[];
  /** Posts to one response_url, in order. */
  postsTo(url: string): ResponsePost[];
  /** The next `times` posts get this HTTP status (and a Retry-After header for 429). */
  failNext(status: number, times?: number, retryAfterSeconds?: number): void;
  waitFor(predicate: () => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startResponseUrlServer(): Promise<ResponseUrlServer> {
  const posts: ResponsePost[] = [];
  const failures: { status: number; retryAfter?: number }[] = [];
  let n = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: Record<string, unknown> = {};
      try {
        body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      } catch {
        body = { _unparsed: raw };
      }
      const failure = failures.shift();
      const status = failure?.status ?? 200;
      posts.push({ path: req.url ?? '', body, status });
      res.writeHead(status, { 'content-type': 'text/plain', ...(failure?.retryAfter !== undefined ? { 'retry-after': String(failure.retryAfter) } : {}) });
      res.end(status === 200 ? 'ok' : 'error');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  return {
    newUrl: () => `${base}/commands/T0TEST01/${++n}/response-token-${n}`,
    posts,
    postsTo: (url) => posts.filter((p) => `${base}${p.path}` === url),
    failNext(status, times = 1, retryAfterSeconds) {
      for (let i = 0; i < times; i += 1) failures.push({ status, retryAfter: retryAfterSeconds });
    },
    waitFor: (predicate, timeoutMs = 5000) => waitUntil(predicate, timeoutMs, 'a post to the response_url'),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
