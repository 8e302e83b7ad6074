import type { RequestOptions } from 'node:https';
import { plainGet, type PlainTarget } from './plain-http.js';

/**
 * One GET answered as JSON, over http or https by the URL's scheme (a unix socket with `socketPath`).
 * A non-2xx answer rejects with `{ statusCode, body }`, a transport failure with Node's error code.
 */
export function getJson(url: URL, opts: RequestOptions, notJson = `${url.pathname} answered with something that is not JSON`): Promise<unknown> {
  // node:https (with tls and crypto, ~3 ms to load) only for an https URL, node:http only when asked for
  // (a one-shot answer's reads go through getPlainJson and load neither).
  const send = url.protocol === 'https:' ? process.getBuiltinModule('node:https').request : process.getBuiltinModule('node:http').request;
  return new Promise((resolve, reject) => {
    const req = send(url, { ...opts, method: 'GET' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const status = res.statusCode ?? 0;
        if (status < 200 || status > 299) return reject(Object.assign(new Error(`HTTP ${status}`), { statusCode: status, body }));
        try {
          resolve(JSON.parse(body));
        } catch {
          reject(new Error(notJson));
        }
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * The same over plain-http.ts (a unix socket or plain TCP, a connection per request): what a one-shot
 * answer reads a plain-http API server with, failing in the shapes getJson fails in.
 */
export async function getPlainJson(target: PlainTarget, path: string, headers: Readonly<Record<string, string>>, o: { signal?: AbortSignal; notJson: string }): Promise<unknown> {
  const { statusCode, body } = await plainGet(target, path, headers, o.signal ? { signal: o.signal } : {});
  const text = body.toString('utf8');
  if (statusCode < 200 || statusCode > 299) throw Object.assign(new Error(`HTTP ${statusCode}`), { statusCode, body: text });
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(o.notJson);
  }
}
