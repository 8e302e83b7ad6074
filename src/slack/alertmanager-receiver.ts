import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { webApi } from '@slack/bolt';
import { answerAndClose, BodyTooLarge, readCappedBody } from '../http/capped-body.js';
import { openRequest } from '../http/requests-in-flight.js';
import { dedupeSubjects, subjectsFromLabels, type AlertSubject } from '../net/alert-subjects.js';
import { StateUnavailableError } from '../reports/history.js';
import type { AlertGroups, AlertThread } from '../store/alert-groups.js';
import { firingMessage, resolvedMessage, updateMessage } from './alert-messages.js';
import { routeAlert, type AlertmanagerConfig } from './alertmanager-config.js';
import { notificationDigest, parseNotification, type AlertmanagerNotification } from './alertmanager-payload.js';
import type { HandlerContext } from './context.js';
import { deliver, DeliveryError } from './delivery.js';
import type { OutgoingMessage } from './messages.js';
import type { Asker } from './pipeline.js';
import { safeError } from './safe-error.js';
import { answerable, diagnoseInThread } from './thread-diagnosis.js';

/**
 * `POST /alertmanager`: Alertmanager's webhook receiver (notification format version 4).
 *
 *   credentials (bearer or basic, constant-time; 401 before a byte of the body is read)
 *   → JSON only (415) → size cap while streaming (413) → the notification's shape (400, naming the field)
 *   → the channel its common labels route to (422 when none) → once per notification (alert_groups in the
 *   store: a repeat is 200 "duplicate", another replica posting the same group is 503 + Retry-After)
 *   → the thread's message, or a reply in the group's thread (502 when Slack does not take it, so
 *   Alertmanager retries) → 200 → the diagnosis of the subjects in the alerts' labels, in the thread.
 */

export const ALERTMANAGER_PATH = '/alertmanager';
/** How long a group is held by the request posting it (a crash in between frees it after this). */
const HOLD_MS = 60_000;
/** The user the audit log names for questions asked on Alertmanager's behalf. */
export const ALERTMANAGER_USER = 'alertmanager';

export interface AlertmanagerReceiverOptions {
  config: AlertmanagerConfig;
  /** The handler context of the bot (pipeline, registry, retry policy, logger). */
  ctx: () => HandlerContext;
  client: () => webApi.WebClient;
  groups: AlertGroups;
}

function reply(res: ServerResponse, status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', ...headers });
  res.end(text);
}

/** Constant-time equality of two secrets of any length (compared as SHA-256 digests). */
function sameSecret(a: string, b: string): boolean {
  const h = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(h(a), h(b));
}

/** True when the Authorization header carries the configured bearer token or basic-auth pair. */
export function authorized(header: string | undefined, config: Pick<AlertmanagerConfig, 'token' | 'basic'>): boolean {
  const m = /^(\S+)\s+(\S+)\s*$/.exec(header ?? '');
  if (!m) return false;
  const scheme = m[1]!.toLowerCase();
  const value = m[2]!;
  if (scheme === 'bearer' && config.token) return sameSecret(value, config.token);
  if (scheme === 'basic' && config.basic) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    // Both halves are compared, whatever the first says, so timing does not tell which was wrong.
    const userOk = sameSecret(decoded.slice(0, colon), config.basic.username);
    const passOk = sameSecret(decoded.slice(colon + 1), config.basic.password);
    return userOk && passOk;
  }
  return false;
}

/** The subjects of the alerts that fire, in order, each once. */
export function firingSubjects(n: AlertmanagerNotification): AlertSubject[] {
  return dedupeSubjects(n.alerts.filter((a) => a.status === 'firing').flatMap((a) => subjectsFromLabels(a.labels)));
}

export function alertmanagerRoute(o: AlertmanagerReceiverOptions) {
  const challenge = [o.config.token ? 'Bearer realm="netpeek"' : '', o.config.basic ? 'Basic realm="netpeek"' : ''].filter(Boolean).join(', ');
  return {
    path: ALERTMANAGER_PATH,
    method: ['POST'],
    handler: (req: IncomingMessage, res: ServerResponse) => {
      const requestId = randomUUID();
      const done = openRequest(requestId);
      handle(o, req, res, requestId, challenge)
        .catch((err: unknown) => {
          o.ctx().log.error({ requestId, err: safeError(err) }, 'the Alertmanager receiver failed');
          reply(res, 500, { error: 'netpeek failed while handling this notification; see its log' });
        })
        .finally(done);
    },
  };
}

async function handle(o: AlertmanagerReceiverOptions, req: IncomingMessage, res: ServerResponse, requestId: string, challenge: string): Promise<void> {
  const ctx = o.ctx();
  const log = ctx.log.child({ component: 'alertmanager', requestId });
  const peer = req.socket.remoteAddress;
  res.setHeader('x-request-id', requestId);
  if (!authorized(req.headers.authorization, o.config)) {
    log.warn({ peer, scheme: String(req.headers.authorization ?? '').split(' ')[0]?.slice(0, 20) || null }, 'refused an Alertmanager notification without valid credentials');
    res.setHeader('www-authenticate', challenge);
    answerAndClose(res, 401, 'application/json; charset=utf-8', JSON.stringify({ error: 'missing or wrong credentials: send the bearer token (NETPEEK_ALERTMANAGER_TOKEN) or basic auth configured in netpeek' }));
    return;
  }
  const type = String(req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    answerAndClose(res, 415, 'application/json; charset=utf-8', JSON.stringify({ error: `Alertmanager notifications are application/json (got ${JSON.stringify(type ?? '')})` }));
    return;
  }
  let raw: Buffer;
  try {
    raw = await readCappedBody(req, o.config.maxBodyBytes);
  } catch (err) {
    if (err instanceof BodyTooLarge) {
      log.warn({ peer, limit: o.config.maxBodyBytes, declared: req.headers['content-length'] ?? null }, 'refused an Alertmanager notification over the size cap');
      answerAndClose(res, 413, 'application/json; charset=utf-8', JSON.stringify({ error: `the notification is larger than ${o.config.maxBodyBytes} bytes (NETPEEK_ALERTMANAGER_MAX_BODY_BYTES); set max_alerts in the webhook_config or raise the limit` }));
      return;
    }
    throw err;
  }
  const parsed = parseNotification(raw.toString('utf8'));
  if (!parsed.ok) {
    log.warn({ peer, reason: parsed.reason.slice(0, 300) }, 'refused a malformed Alertmanager notification');
    reply(res, 400, { error: parsed.reason });
    return;
  }
  const n = parsed.notification;
  const labels = { ...n.groupLabels, ...n.commonLabels };
  const channel = routeAlert(o.config.routes, labels);
  const nlog = log.child({ groupKey: n.groupKey.slice(0, 200), status: n.status, alerts: n.alerts.length });
  if (!channel) {
    nlog.warn({ labels }, 'no NETPEEK_ALERTMANAGER_CHANNELS route matches this alert group');
    reply(res, 422, { error: `no route in NETPEEK_ALERTMANAGER_CHANNELS matches this group's labels (${Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(', ')}); add one, or a catch-all like C0123ABCD=*` });
    return;
  }
  const digest = notificationDigest(n);
  let begun;
  try {
    begun = await o.groups.begin(n.groupKey, digest, HOLD_MS);
  } catch (err) {
    if (!(err instanceof StateUnavailableError)) throw err;
    nlog.error({ err: { message: err.message } }, 'the store cannot say whether this notification was posted already; asking Alertmanager to retry');
    reply(res, 503, { error: 'netpeek cannot reach its store to check this notification; retry later' }, { 'retry-after': '30' });
    return;
  }
  if (begun.kind === 'duplicate') {
    nlog.info('repeat of a notification already posted; not posted again');
    reply(res, 200, { status: 'duplicate' });
    return;
  }
  if (begun.kind === 'busy') {
    nlog.info('another request is posting this group right now');
    reply(res, 503, { error: 'another request is posting a notification of this group; retry shortly' }, { 'retry-after': '5' });
    return;
  }
  const subjects = n.status === 'firing' ? firingSubjects(n) : [];
  const questions = answerable(ctx, subjects, o.config.maxSubjects);
  const message: OutgoingMessage =
    n.status === 'resolved' ? resolvedMessage(n) : begun.thread ? updateMessage(n, subjects, questions.length) : firingMessage(n, subjects, questions.length);
  const startedMs = Date.now();
  const asker: Asker = { requestId, source: 'alertmanager', user: ALERTMANAGER_USER, channel: begun.thread?.channel ?? channel, isDm: false, startedMs, log: nlog };
  const what = { command: '(alert)', target: `${n.status} ${labels.alertname ?? ''} ${n.groupKey}`.trim().slice(0, 200) };
  let thread: AlertThread;
  try {
    const client = o.client();
    const posted = await deliver(
      begun.thread ? 'chat.postMessage(alert thread)' : 'chat.postMessage(alert)',
      () => client.chat.postMessage({ channel: asker.channel, text: message.text, blocks: message.blocks, unfurl_links: false, ...(begun.thread ? { thread_ts: begun.thread.ts } : {}) }),
      ctx.slackConfig.retry,
      nlog,
    );
    thread = begun.thread ?? { channel: asker.channel, ts: posted.ts ?? '' };
  } catch (err) {
    await o.groups.abandon(n.groupKey, digest).catch((e: unknown) => nlog.warn({ err: safeError(e) }, 'could not release the alert group'));
    ctx.pipeline.record(asker, what, 'undelivered', err instanceof DeliveryError ? err.message.slice(0, 200) : 'internal');
    reply(res, 502, { error: `Slack did not take the post (${err instanceof DeliveryError ? err.message : 'internal error'}); Alertmanager may retry` });
    return;
  }
  await o.groups.done(n.groupKey, digest, thread).catch((err: unknown) => nlog.error({ err: safeError(err) }, 'posted, but the store did not record it: a repeat may be posted again'));
  ctx.pipeline.record(asker, what, 'ok');
  nlog.info({ channel: thread.channel, threadTs: thread.ts, subjects: subjects.length, diagnosed: questions.length }, 'Alertmanager notification posted');
  reply(res, 200, { status: 'posted', channel: thread.channel, thread_ts: thread.ts });
  // After the answer to Alertmanager: diagnoses can take seconds (lookups, a cold cache) and must not
  // make Alertmanager time out and send the notification again.
  if (questions.length) {
    void diagnoseInThread(ctx, o.client(), { ...asker, startedMs: Date.now() }, { channel: thread.channel, threadTs: thread.ts }, questions).catch((err: unknown) =>
      nlog.error({ err: safeError(err) }, 'the diagnosis of an alert failed'),
    );
  }
}
