import { request as httpRequest } from 'node:http';
import type { RequestOptions } from 'node:https';

/**
 * One GET answered as JSON, over http or https by the URL's scheme (a unix socket with `socketPath`).
 * A non-2xx answer rejects with `{ statusCode, body }`, a transport failure with Node's error code.
 */
export function getJson(url: URL, opts: RequestOptions, notJson = `${url.pathname} answered with something that is not JSON`): Promise<unknown> {
  // node:https (with tls and crypto, ~3 ms to load) only for an https URL: a unix socket or plain http needs none of it.
  const send = url.protocol === 'https:' ? process.getBuiltinModule('node:https').request : httpRequest;
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
