/** Small HTTP helpers for the test API server's own tests: JSON requests and a line-by-line watch reader. */
import type { KubeApiServer } from '../../support/kube-apiserver/index.js';

export type WatchLine = { type: string; object: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

export async function call(
  api: KubeApiServer,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; headers: Headers }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const res = await fetch(`${api.url}${path}`, {
    method,
    headers: { Accept: 'application/json', ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/** Opens a watch and hands out its events one at a time. */
export async function openWatch(api: KubeApiServer, path: string) {
  const ctrl = new AbortController();
  const res = await fetch(`${api.url}${path}`, { signal: ctrl.signal });
  const queue: WatchLine[] = [];
  let ended = false;
  let wake: () => void = () => {};
  const pump = (async () => {
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true });
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (line.trim()) queue.push(JSON.parse(line) as WatchLine);
        }
        wake();
      }
    } catch {
      // aborted or cut
    }
    ended = true;
    wake();
  })();
  const waitFor = async (cond: () => boolean, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!cond()) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
    return true;
  };
  return {
    status: res.status,
    headers: res.headers,
    /** The next event, or undefined when the server ended the stream. */
    async next(timeoutMs = 5000): Promise<WatchLine | undefined> {
      if (!(await waitFor(() => queue.length > 0 || ended, timeoutMs))) throw new Error(`no watch event within ${timeoutMs} ms`);
      return queue.shift();
    },
    /** Events received so far and not yet taken. */
    pending(): WatchLine[] {
      return queue.splice(0);
    },
    /** Resolves true once the server has ended the stream. */
    ended(timeoutMs = 5000): Promise<boolean> {
      return waitFor(() => ended, timeoutMs);
    },
    async close(): Promise<void> {
      ctrl.abort();
      await pump;
    },
  };
}
