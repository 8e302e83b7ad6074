import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for Slack's Web API (https://api.slack.com/methods) on 127.0.0.1:0. It answers the
 * methods netpeek calls the way Slack documents them, keeps the messages posted so that
 * conversations.replies / conversations.history serve them back (with metadata only when
 * include_all_metadata is set, as Slack does), and records every call. Failures can be queued per method.
 */

export const FAKE_BOT = { userId: 'UBOT0001', botId: 'BBOT0001', teamId: 'T0TEST01', token: 'xoxb-test-token' } as const;
/** The app-level token (connections:write) that Socket Mode's apps.connections.open needs. */
export const FAKE_APP_TOKEN = 'xapp-1-A0NETPEEK1-1111-test';

export interface FakeSlackApiOptions {
  /** Serve HTTPS with this key and certificate (the proxy tests tunnel TLS through CONNECT). */
  tls?: { key: Buffer; cert: Buffer };
  /** apps.connections.open answers with this URL (a fake Socket Mode server's nextUrl). */
  socketModeUrl?: () => string;
}

export interface RecordedCall {
  method: string;
  args: Record<string, unknown>;
  /** Bearer token the call carried. */
  token?: string;
  contentType?: string;
  status: number;
}

export interface StoredMessage {
  type: 'message';
  channel: string;
  ts: string;
  thread_ts?: string;
  text?: string;
  blocks?: unknown[];
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  user?: string;
  bot_id?: string;
}

/** A file uploaded the files.uploadV2 way: getUploadURLExternal, the bytes to upload_url, completeUploadExternal. */
export interface UploadedFile {
  id: string;
  filename: string;
  title?: string;
  alt_text?: string;
  bytes: Buffer;
  /** Set by files.completeUploadExternal: where it was shared. */
  channel_id?: string;
  thread_ts?: string;
}

export interface QueuedFailure {
  status: number;
  headers?: Record<string, string>;
  /** JSON body; default `{ ok: false, error: 'internal_error' }` for 5xx, `{ ok: false, error: 'ratelimited' }` for 429. */
  body?: unknown;
}

export interface FakeSlackApi {
  /** For `clientOptions.slackApiUrl` (ends with /api/). */
  url: string;
  calls: RecordedCall[];
  callsTo(method: string): RecordedCall[];
  /** Successful calls of a method (status 200, ok:true). */
  okCallsTo(method: string): RecordedCall[];
  messages: StoredMessage[];
  /** Files uploaded and shared (completeUploadExternal done). */
  files: UploadedFile[];
  /** Puts a message there as if a user had posted it (e.g. the mention a thread starts with). */
  seedMessage(m: Omit<StoredMessage, 'type'> & { ts: string }): StoredMessage;
  /** The next `times` calls of `method` fail like this. */
  failNext(method: string, failure: QueuedFailure, times?: number): void;
  /**
   * The bot is not (or again) a member of the channel: until `rejoin`, posting there (chat.postMessage,
   * chat.postEphemeral, chat.update, sharing a file) answers `not_in_channel`, as Slack does for an app
   * without chat:write.public.
   */
  leave(channel: string): void;
  rejoin(channel: string): void;
  waitFor(predicate: () => boolean, timeoutMs?: number): Promise<void>;
  reset(): void;
  close(): Promise<void>;
}

const JSON_FIELDS = new Set(['blocks', 'attachments', 'metadata', 'view']);

async function readBytes(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/**
 * The file's bytes from an upload_url POST: @slack/web-api sends multipart/form-data (one part); a raw
 * body is taken as it is.
 */
export function uploadedBytes(body: Buffer, contentType: string | undefined): Buffer {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType ?? '');
  if (!(contentType ?? '').startsWith('multipart/form-data') || !boundary) return body;
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const start = body.indexOf(delimiter);
  const headersEnd = body.indexOf('\r\n\r\n', start);
  const end = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headersEnd);
  return start < 0 || headersEnd < 0 || end < 0 ? body : body.subarray(headersEnd + 4, end);
}

async function readBody(req: IncomingMessage): Promise<string> {
  return (await readBytes(req)).toString('utf8');
}

/** Slack's two accepted encodings: form fields (objects JSON-encoded inside) or a JSON body. */
export function parseApiArgs(body: string, contentType: string | undefined): Record<string, unknown> {
  if ((contentType ?? '').includes('application/json')) return body ? (JSON.parse(body) as Record<string, unknown>) : {};
  const args: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(body)) {
    if (JSON_FIELDS.has(k)) args[k] = JSON.parse(v);
    else if (v === 'true' || v === 'false') args[k] = v === 'true';
    else args[k] = v;
  }
  return args;
}

export async function waitUntil(predicate: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function startFakeSlackApi(o: FakeSlackApiOptions = {}): Promise<FakeSlackApi> {
  const calls: RecordedCall[] = [];
  const messages: StoredMessage[] = [];
  const pending = new Map<string, UploadedFile>();
  const files: UploadedFile[] = [];
  let baseUrl = '';
  const failures = new Map<string, QueuedFailure[]>();
  let seq = 0;
  const nextTs = (): string => {
    seq += 1;
    return `${1_760_000_000 + seq}.${String(seq).padStart(6, '0')}`;
  };
  const byTs = (a: StoredMessage, b: StoredMessage) => Number(a.ts) - Number(b.ts);
  const view = (m: StoredMessage, withMetadata: boolean): StoredMessage => {
    const { metadata, ...rest } = m;
    return withMetadata && metadata ? { ...rest, metadata } : rest;
  };

  const absentFrom = new Set<string>();
  const POSTING = new Set(['chat.postMessage', 'chat.postEphemeral', 'chat.update']);

  function handle(method: string, args: Record<string, unknown>): unknown {
    if (POSTING.has(method) && typeof args.channel === 'string' && absentFrom.has(args.channel)) return { ok: false, error: 'not_in_channel' };
    if (method === 'files.completeUploadExternal' && typeof args.channel_id === 'string' && absentFrom.has(args.channel_id)) return { ok: false, error: 'not_in_channel' };
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://netpeek-test.slack.com/', team: 'netpeek test', user: 'netpeek', team_id: FAKE_BOT.teamId, user_id: FAKE_BOT.userId, bot_id: FAKE_BOT.botId };
      case 'chat.postMessage': {
        if (typeof args.channel !== 'string') return { ok: false, error: 'channel_not_found' };
        if (!args.text && !args.blocks) return { ok: false, error: 'no_text' };
        const m: StoredMessage = {
          type: 'message',
          // A user ID as the channel posts in the app's DM with that user (Slack answers with the D… channel).
          channel: /^[UW]/.test(args.channel) ? `D${args.channel.slice(1)}` : args.channel,
          ts: nextTs(),
          ...(typeof args.thread_ts === 'string' ? { thread_ts: args.thread_ts } : {}),
          text: args.text as string | undefined,
          blocks: args.blocks as unknown[] | undefined,
          ...(args.metadata ? { metadata: args.metadata as StoredMessage['metadata'] } : {}),
          user: FAKE_BOT.userId,
          bot_id: FAKE_BOT.botId,
        };
        messages.push(m);
        return { ok: true, channel: m.channel, ts: m.ts, message: view(m, true) };
      }
      case 'chat.postEphemeral':
        if (typeof args.channel !== 'string' || typeof args.user !== 'string') return { ok: false, error: 'channel_not_found' };
        return { ok: true, message_ts: nextTs() };
      case 'chat.update': {
        const m = messages.find((x) => x.channel === args.channel && x.ts === args.ts);
        if (!m) return { ok: false, error: 'message_not_found' };
        if (args.text !== undefined) m.text = args.text as string;
        if (args.blocks !== undefined) m.blocks = args.blocks as unknown[];
        if (args.metadata !== undefined) m.metadata = args.metadata as StoredMessage['metadata'];
        return { ok: true, channel: m.channel, ts: m.ts, text: m.text };
      }
      case 'conversations.replies': {
        const parent = messages.find((x) => x.channel === args.channel && x.ts === args.ts);
        if (!parent) return { ok: false, error: 'thread_not_found' };
        const thread = messages.filter((x) => x.channel === args.channel && (x.ts === args.ts || x.thread_ts === args.ts)).sort(byTs);
        const limit = Number(args.limit ?? 1000);
        const start = Number(args.cursor ?? 0);
        const page = thread.slice(start, start + limit).map((m) => view(m, args.include_all_metadata === true));
        const more = start + limit < thread.length;
        return { ok: true, messages: page, has_more: more, response_metadata: { next_cursor: more ? String(start + limit) : '' } };
      }
      case 'conversations.history': {
        const top = messages.filter((x) => x.channel === args.channel && (!x.thread_ts || x.thread_ts === x.ts)).sort(byTs).reverse();
        const limit = Number(args.limit ?? 100);
        return { ok: true, messages: top.slice(0, limit).map((m) => view(m, args.include_all_metadata === true)), has_more: top.length > limit };
      }
      case 'views.publish': {
        const view = args.view as { type?: string; blocks?: unknown[] } | undefined;
        if (typeof args.user_id !== 'string' || view?.type !== 'home' || !Array.isArray(view.blocks)) return { ok: false, error: 'invalid_arguments' };
        if (view.blocks.length > 100) return { ok: false, error: 'invalid_blocks' };
        seq += 1;
        return { ok: true, view: { ...view, id: `V${String(seq).padStart(8, '0')}` } };
      }
      case 'users.info':
        return { ok: true, user: { id: args.user, name: `user-${String(args.user).toLowerCase()}`, is_bot: false } };
      case 'files.getUploadURLExternal': {
        const length = Number(args.length);
        if (typeof args.filename !== 'string' || !args.filename || !Number.isInteger(length) || length < 1) return { ok: false, error: 'invalid_arguments' };
        seq += 1;
        const id = `F${String(seq).padStart(8, '0')}`;
        pending.set(id, { id, filename: args.filename, ...(typeof args.alt_text === 'string' ? { alt_text: args.alt_text } : {}), bytes: Buffer.alloc(0) });
        return { ok: true, upload_url: `${baseUrl}/upload/${id}`, file_id: id };
      }
      case 'files.completeUploadExternal': {
        const list = (typeof args.files === 'string' ? JSON.parse(args.files) : args.files) as { id: string; title?: string }[];
        const done: UploadedFile[] = [];
        for (const f of list ?? []) {
          const p = pending.get(f.id);
          if (!p || p.bytes.length === 0) return { ok: false, error: 'file_not_found' };
          pending.delete(f.id);
          const shared = { ...p, ...(f.title ? { title: f.title } : {}), ...(typeof args.channel_id === 'string' ? { channel_id: args.channel_id } : {}), ...(typeof args.thread_ts === 'string' ? { thread_ts: args.thread_ts } : {}) };
          files.push(shared);
          done.push(shared);
        }
        return { ok: true, files: done.map((f) => ({ id: f.id, title: f.title ?? f.filename, name: f.filename })) };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  const listener: RequestListener = (req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const upload = /^\/upload\/(F\d+)$/.exec(req.url ?? '');
      if (upload) {
        // The upload_url: raw bytes, answered with 200 as Slack's file servers do.
        const p = pending.get(upload[1]!);
        const bytes = uploadedBytes(await readBytes(req), req.headers['content-type']);
        calls.push({ method: 'upload', args: { file_id: upload[1], length: bytes.length }, status: p ? 200 : 404 });
        if (p) p.bytes = bytes;
        res.writeHead(p ? 200 : 404, { 'content-type': 'text/plain' });
        res.end(p ? `OK - ${bytes.length}` : 'not found');
        return;
      }
      const body = await readBody(req);
      const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '';
      const contentType = req.headers['content-type'];
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const args = parseApiArgs(body, contentType);
      const queued = failures.get(method);
      const failure = queued?.shift();
      if (failure) {
        calls.push({ method, args, token, contentType, status: failure.status });
        const dflt = failure.status === 429 ? { ok: false, error: 'ratelimited' } : { ok: false, error: 'internal_error' };
        res.writeHead(failure.status, { 'content-type': 'application/json', ...failure.headers });
        res.end(JSON.stringify(failure.body ?? dflt));
        return;
      }
      const result =
        method === 'apps.connections.open'
          ? token !== FAKE_APP_TOKEN
            ? { ok: false, error: token === FAKE_BOT.token ? 'not_allowed_token_type' : 'invalid_auth' }
            : o.socketModeUrl
              ? { ok: true, url: o.socketModeUrl() }
              : { ok: false, error: 'socket_mode_disabled' }
          : token === FAKE_BOT.token
            ? handle(method, args)
            : { ok: false, error: 'invalid_auth' };
      calls.push({ method, args, token, contentType, status: 200 });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(result));
    })();
  };
  const server: Server = o.tls ? createTlsServer({ key: o.tls.key, cert: o.tls.cert }, listener) : createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const scheme = o.tls ? 'https' : 'http';
  baseUrl = `${scheme}://127.0.0.1:${port}`;
  const isOk = (c: RecordedCall): boolean => c.status === 200;

  return {
    url: `${scheme}://127.0.0.1:${port}/api/`,
    calls,
    messages,
    files,
    callsTo: (method) => calls.filter((c) => c.method === method),
    okCallsTo: (method) => calls.filter((c) => c.method === method && isOk(c)),
    seedMessage(m) {
      const stored: StoredMessage = { type: 'message', ...m };
      messages.push(stored);
      return stored;
    },
    leave: (channel) => void absentFrom.add(channel),
    rejoin: (channel) => void absentFrom.delete(channel),
    failNext(method, failure, times = 1) {
      const q = failures.get(method) ?? [];
      for (let i = 0; i < times; i += 1) q.push(failure);
      failures.set(method, q);
    },
    waitFor: (predicate, timeoutMs = 5000) => waitUntil(predicate, timeoutMs, 'a call to the fake Slack API'),
    reset() {
      calls.length = 0;
      messages.length = 0;
      files.length = 0;
      pending.clear();
      failures.clear();
      absentFrom.clear();
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
