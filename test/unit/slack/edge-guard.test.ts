import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log.js';
import { guardBoltListener } from '../../../src/slack/edge-guard.js';
import type { AuditLog } from '../../../src/store/audit-log.js';
import { eventCallback, appMention, slashCommand } from '../../support/slack/payloads.js';
import { formBody, postSigned } from '../../support/slack/sign.js';

const SECRET = 'edge-guard-test-secret';
const audit: AuditLog = { record: () => undefined } as unknown as AuditLog;

/** A stand-in for Bolt that records what reached it and never answers: whatever the client gets came from the edge. */
function silentBolt(): { listener: RequestListener; seen: string[] } {
  const seen: string[] = [];
  return { seen, listener: (req) => void seen.push(String((req as { rawBody?: Buffer }).rawBody?.length ?? 0)) };
}

describe('edge guard: the slash command is acked at the edge, after the signature check', () => {
  let server: Server | undefined;
  afterEach(async () => {
    // The requests Bolt never answered are still open: close them with the server.
    server?.closeAllConnections();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  });

  async function start(bolt: RequestListener): Promise<string> {
    const guard = guardBoltListener(bolt, { signingSecret: SECRET, maxBodyBytes: 1 << 20, endpoints: ['/slack/events'], audit, log: createLogger('silent'), ackSlashCommand: '/netpeek' });
    server = createServer(guard);
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  }

  it('a signed /netpeek gets its empty 200 from the edge, and Bolt still gets the request to run', async () => {
    const bolt = silentBolt();
    const url = await start(bolt.listener);
    const res = await postSigned(url, SECRET, formBody(slashCommand('container web-1', 'http://127.0.0.1:9/r')), 'form');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(bolt.seen).toHaveLength(1);
  });

  it('a bad signature is refused (401) before any ack, and Bolt never sees it', async () => {
    const bolt = silentBolt();
    const url = await start(bolt.listener);
    const res = await postSigned(url, 'another-secret', formBody(slashCommand('container web-1', 'http://127.0.0.1:9/r')), 'form');
    expect(res.status).toBe(401);
    expect(bolt.seen).toHaveLength(0);
  });

  it('another slash command and events are left to Bolt to answer', async () => {
    const bolt = silentBolt();
    const url = await start(bolt.listener);
    for (const [body, kind] of [
      [formBody(slashCommand('x', 'http://127.0.0.1:9/r', { command: '/other' })), 'form'],
      [JSON.stringify(eventCallback(appMention('container web-1'))), 'json'],
    ] as const) {
      const pending = postSigned(url, SECRET, body, kind, {});
      pending.catch(() => undefined);
      const answered = await Promise.race([pending.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 300))]);
      expect(answered).toBe(false);
    }
    expect(bolt.seen).toHaveLength(2);
  });
});
