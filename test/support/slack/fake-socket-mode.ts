import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * A local server speaking Slack's Socket Mode protocol (https://api.slack.com/apis/socket-mode), on
 * `ws` at 127.0.0.1:0, for the real Bolt SocketModeReceiver:
 * - the fake Web API answers `apps.connections.open` (app token) with `nextUrl()`, a one-use ws:// URL;
 * - each connection gets `hello`, then envelopes `{envelope_id, type, payload, accepts_response_payload,
 *   retry_attempt, retry_reason}` for slash_commands, events_api and interactive;
 * - the client acks with `{envelope_id, payload?}`;
 * - `disconnect` sends `{type:"disconnect", reason}` (refresh_requested, warning, link_disabled);
 *   `drop` closes the socket without a word, as a network failure would.
 * Like Slack, an envelope sent while no client is connected waits for the next connection, and one that a
 * dropped connection never acked is delivered again on the next one with retry_attempt + 1.
 */
export interface Envelope {
  envelope_id: string;
  type: 'slash_commands' | 'events_api' | 'interactive';
  payload: Record<string, unknown>;
  accepts_response_payload: boolean;
  retry_attempt: number;
  retry_reason: string;
}

export interface Ack {
  envelope_id: string;
  payload?: unknown;
  /** Which connection (1, 2, …) carried the ack. */
  connection: number;
}

export interface FakeSocketMode {
  /** For the fake Web API's apps.connections.open. */
  nextUrl(): string;
  /** URLs handed out (one per apps.connections.open). */
  opened: number;
  /** Connections that completed the WebSocket handshake. */
  connections: number;
  /** True while a client is connected. */
  connected(): boolean;
  acks: Ack[];
  /** Sends (or queues) an envelope; resolves with its ack. */
  send(type: Envelope['type'], payload: Record<string, unknown>): Promise<Ack>;
  disconnect(reason: 'refresh_requested' | 'warning' | 'link_disabled'): void;
  drop(): void;
  waitFor(predicate: () => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startFakeSocketMode(): Promise<FakeSocketMode> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  const { port } = wss.address() as AddressInfo;
  const tickets = new Set<string>();
  const acks: Ack[] = [];
  const waiting = new Map<string, { envelope: Envelope; resolve: (a: Ack) => void; sentOn?: number }>();
  let seq = 0;
  let socket: WebSocket | undefined;
  let current = 0;

  const deliver = (id: string) => {
    const w = waiting.get(id);
    if (!w || !socket || socket.readyState !== socket.OPEN) return;
    w.sentOn = current;
    socket.send(JSON.stringify(w.envelope));
  };

  const fake: FakeSocketMode = {
    opened: 0,
    connections: 0,
    acks,
    nextUrl() {
      fake.opened += 1;
      const ticket = `t${fake.opened}-${Math.random().toString(36).slice(2)}`;
      tickets.add(ticket);
      return `ws://127.0.0.1:${port}/link/?ticket=${ticket}&app_id=A0NETPEEK1`;
    },
    connected: () => socket !== undefined && socket.readyState === socket.OPEN,
    send(type, payload) {
      seq += 1;
      const envelope: Envelope = { envelope_id: `env-${seq}-${Math.random().toString(36).slice(2, 10)}`, type, payload, accepts_response_payload: type !== 'events_api', retry_attempt: 0, retry_reason: '' };
      return new Promise<Ack>((resolve) => {
        waiting.set(envelope.envelope_id, { envelope, resolve });
        deliver(envelope.envelope_id);
      });
    },
    disconnect(reason) {
      socket?.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'applink-fake-1' } }));
    },
    drop() {
      socket?.terminate();
    },
    async waitFor(predicate, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      while (!predicate()) {
        if (Date.now() > until) throw new Error('fake Socket Mode: condition not met in time');
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async close() {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };

  wss.on('connection', (ws, req) => {
    const ticket = new URL(req.url ?? '/', 'ws://x').searchParams.get('ticket') ?? '';
    // A URL from apps.connections.open is good for one connection, as Slack's are.
    if (!tickets.delete(ticket)) {
      ws.close(1008, 'invalid ticket');
      return;
    }
    fake.connections += 1;
    const n = fake.connections;
    current = n;
    socket = ws;
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { envelope_id?: string; payload?: unknown };
      if (!msg.envelope_id) return;
      const w = waiting.get(msg.envelope_id);
      const ack: Ack = { envelope_id: msg.envelope_id, ...(msg.payload !== undefined ? { payload: msg.payload } : {}), connection: n };
      acks.push(ack);
      if (w) {
        waiting.delete(msg.envelope_id);
        w.resolve(ack);
      }
    });
    ws.on('close', () => {
      if (socket === ws) socket = undefined;
      // Unacked envelopes of this connection are retried on the next one.
      for (const w of waiting.values()) {
        if (w.sentOn === n) {
          w.envelope = { ...w.envelope, retry_attempt: w.envelope.retry_attempt + 1, retry_reason: 'timeout' };
          w.sentOn = undefined;
        }
      }
    });
    ws.send(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'applink-fake-1', build_number: 1, approximate_connection_time: 18060 }, connection_info: { app_id: 'A0NETPEEK1' } }));
    for (const id of waiting.keys()) deliver(id);
  });
  return fake;
}
