import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type RequestListener, ServerResponse } from 'node:http';
import { answerAndClose, BodyTooLarge, onCappedBody, refuseTooLarge } from '../http/capped-body.js';
import type { Logger } from '../log.js';
import type { AuditLog } from '../store/audit-log.js';
import { AfterAckQueue } from './after-ack-queue.js';
import { classifyForm, classifyPayload, parseForm, type Refusal } from './edge-payloads.js';
import { checkSignatureHeaders, checkSlackSignature, type SignatureCheck, signingKey } from './edge-signature.js';

/**
 * The Slack HTTP endpoint's guard, in front of Bolt's HTTPReceiver (Bolt 4.7.3). Bolt buffers a whole
 * body without a cap before it checks the signature, reads properties of the parsed body in an async
 * closure nobody awaits (a signed `null` body rejects there and used to end the process), and lets
 * listeners run on any shape. So every POST to the events endpoint passes here first:
 *
 *   size cap while streaming (413, connection closed) → signature and a ±5 min timestamp (401)
 *   → payload shape (zod, edge-payloads.ts: 400, or 200 with an ephemeral message for slash commands,
 *   with an audit record) → Bolt, with the body it would otherwise read again (`rawBody`).
 *
 * netpeek's own slash command is acked here, and Bolt's work for it waits in an AfterAckQueue so that it
 * never delays the next request's ack (after-ack-queue.ts); past `maxWaitingAnswers` waiting, the user
 * is told netpeek is busy and nothing runs.
 *
 * Bolt gets the request id on the request (edgeRequestId, read by the receiver's
 * customPropertiesExtractor into the listener context), so the listeners' log lines and audit records
 * carry the id the edge logged and sent back in x-request-id.
 */

export interface EdgeGuardOptions {
  signingSecret: string;
  /** Largest body accepted, bytes. */
  maxBodyBytes: number;
  /** Paths Bolt answers events on (the receiver's `endpoints`). */
  endpoints: readonly string[];
  audit: AuditLog;
  log: Logger;
  /**
   * The slash command the bot answers (e.g. /netpeek): once such a request is signed and readable, the
   * edge acks it (empty 200) itself and Bolt runs it against a detached response. netpeek's slash listener
   * always acks empty before any work, so the answer Slack gets is the same; it just does not wait for
   * Bolt's parsing and middleware chain.
   */
  ackSlashCommand?: string;
  /** Acked slash commands waiting for Bolt at most; past it they are answered "busy" (default 5,000). */
  maxWaitingAnswers?: number;
  /** Waiting answers start once no request has arrived for this long, ms (default 2). */
  answerQuietMs?: number;
  /** While requests keep arriving, waiting answers are held back at most this long, ms (default 100: a burst's acks come first). */
  maxAnswerDeferMs?: number;
  /** Past that, while requests keep arriving, one waiting answer runs every this many ms (default 10). */
  answerFloodIntervalMs?: number;
}

export const DEFAULT_MAX_WAITING_ANSWERS = 5000;

/**
 * `rawBody`: what Bolt's HTTPModuleFunctions.bufferIncomingMessage looks for to skip reading the stream
 * itself (it passes the same object on). `netpeekRequestId`: the edge's id for the request.
 */
type BufferedRequest = IncomingMessage & { rawBody?: Buffer; netpeekRequestId?: string };

/** The id the edge guard gave a request it handed on to Bolt (undefined for any other request). */
export function edgeRequestId(req: IncomingMessage): string | undefined {
  return (req as BufferedRequest).netpeekRequestId;
}

const MEDIA_TYPES: Record<string, 'form' | 'json'> = { 'application/x-www-form-urlencoded': 'form', 'application/json': 'json' };

/** The media type of a request: the exact header Slack sends needs no parsing. */
function mediaTypeOf(header: string | undefined): 'form' | 'json' | undefined {
  if (header === 'application/x-www-form-urlencoded') return 'form';
  return MEDIA_TYPES[String(header ?? '').split(';')[0]?.trim().toLowerCase() ?? ''];
}

function pathOf(url: string | undefined, endpoints: readonly string[]): string | undefined {
  // The common case, a request for an endpoint exactly as written, needs no URL parsing.
  if (url !== undefined && endpoints.includes(url)) return url;
  try {
    return new URL(url ?? '/', 'http://localhost').pathname;
  } catch {
    return undefined;
  }
}

function answer(res: ServerResponse, status: number, body: unknown, close = false): void {
  const text = JSON.stringify(body);
  // A refusal sent before the body was read closes the connection, so the rest of the body is never read.
  if (close) return answerAndClose(res, status, 'application/json; charset=utf-8', text);
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

/** Wraps Bolt's request listener; other paths and methods (e.g. /healthz) go straight to Bolt. */
export function guardBoltListener(bolt: RequestListener, o: EdgeGuardOptions): RequestListener {
  const log = o.log.child({ component: 'slack-edge' });
  const afterAck = new AfterAckQueue({
    limit: o.maxWaitingAnswers ?? DEFAULT_MAX_WAITING_ANSWERS,
    quietMs: o.answerQuietMs ?? 2,
    maxDeferMs: o.maxAnswerDeferMs ?? 100,
    floodIntervalMs: o.answerFloodIntervalMs ?? 10,
    onError: (err) => log.error({ err: { message: err instanceof Error ? err.message : String(err) } }, 'Bolt failed on an acked slash command'),
  });

  function refuse(req: IncomingMessage, res: ServerResponse, requestId: string, startedMs: number, r: Refusal): void {
    log.info({ requestId, status: r.status, source: r.audit.source, user: r.audit.user, channel: r.audit.channel, reason: r.audit.target }, 'signed Slack request refused at the edge');
    o.audit.record({
      requestId,
      source: r.audit.source,
      user: r.audit.user,
      channel: r.audit.channel,
      command: '(unreadable payload)',
      target: r.audit.target,
      outcome: 'refused',
      reason: 'bad_payload',
      durationMs: Date.now() - startedMs,
      at: new Date(startedMs).toISOString(),
    });
    // Answered after the audit record is written, so whoever sees the answer can find the record.
    if (r.status === 200) answer(res, 200, { response_type: 'ephemeral', text: r.message });
    else answer(res, 400, { error: r.message });
  }

  const key = signingKey(o.signingSecret);

  // The ack path runs in plain callbacks, with no promise, no request context and no logging before
  // res.end(): in a burst of 50 the last ack waits for the CPU of the 49 before it, so every microsecond
  // spent per request here is paid fifty times. Bolt's work runs later, with the request's id.
  function guard(req: BufferedRequest, res: ServerResponse, requestId: string): void {
    const startedMs = Date.now();
    const mediaType = mediaTypeOf(req.headers['content-type']);
    if (!mediaType) {
      answer(res, 415, { error: 'Slack requests are application/x-www-form-urlencoded or application/json' }, true);
      log.warn({ requestId, peer: req.socket.remoteAddress, contentType: String(req.headers['content-type'] ?? '').slice(0, 100) }, 'refused a request with an unsupported content type');
      return;
    }
    // A JSON body is never an (unsigned) ssl_check, and a stale or future timestamp fails whatever the
    // body: both are refused before a byte of the body is read.
    const early = checkSignatureHeaders(req.headers, startedMs);
    if (!early.ok && (mediaType === 'json' || !early.unsigned)) {
      answer(res, 401, { error: early.reason }, true);
      log.warn({ requestId, peer: req.socket.remoteAddress, reason: early.reason }, 'refused an unsigned or mistimed Slack request');
      return;
    }
    onCappedBody(
      req,
      o.maxBodyBytes,
      (raw) => {
        try {
          onBody(req, res, raw, mediaType, early, requestId, startedMs);
        } catch (err) {
          failed(res, requestId, err);
        }
      },
      (err) => {
        if (!(err instanceof BodyTooLarge)) return failed(res, requestId, err);
        refuseTooLarge(res, o.maxBodyBytes);
        log.warn({ requestId, peer: req.socket.remoteAddress, limit: o.maxBodyBytes, declared: req.headers['content-length'] ?? null }, 'refused a Slack request body over the size cap (NETPEEK_SLACK_MAX_BODY_BYTES)');
      },
    );
  }

  function onBody(req: BufferedRequest, res: ServerResponse, raw: Buffer, mediaType: 'form' | 'json', early: SignatureCheck, requestId: string, startedMs: number): void {
    // The signature over the raw bytes comes before anything reads the body; the window is checked
    // again now that the whole body is in.
    const signed = early.ok ? checkSlackSignature(key, req.headers, raw) : early;
    if (!signed.ok) {
      // Slack's ssl_check is unsigned; Bolt answers it and strips anything else from the body.
      if (mediaType === 'form' && parseForm(raw.toString('utf8')).get('ssl_check')?.[0] === '1') return handOn(req, res, raw, mediaType, requestId);
      answer(res, 401, { error: signed.reason });
      log.warn({ requestId, peer: req.socket.remoteAddress, reason: signed.reason }, 'refused a Slack request with a bad signature');
      return;
    }
    const body = raw.toString('utf8');
    // The form is parsed once, here, and the payload check reads the same fields.
    const form = mediaType === 'form' ? parseForm(body) : undefined;
    if (form?.get('ssl_check')?.[0] === '1') return handOn(req, res, raw, mediaType, requestId);
    const verdict = form ? classifyForm(form) : classifyPayload(mediaType, body);
    if (verdict.action === 'refuse') return refuse(req, res, requestId, startedMs, verdict);
    if (verdict.action === 'ignore') {
      answer(res, 200, {});
      log.debug({ requestId, event: verdict.kind }, 'event of a type netpeek does not subscribe to, acknowledged');
      return;
    }
    if (verdict.kind === 'slash' && o.ackSlashCommand && verdict.command === o.ackSlashCommand) {
      // Bolt's ack() writes to a detached response; nothing reads it (its 3 s "no ack" timer never fires:
      // the listener acks).
      const queued = afterAck.push(() => handOn(req, new ServerResponse(req), raw, mediaType, requestId));
      if (!queued) return refuseBusy(res, requestId, startedMs, verdict.who);
      res.writeHead(200, ['content-length', '0', 'x-request-id', requestId]);
      res.end();
      return;
    }
    handOn(req, res, raw, mediaType, requestId);
  }

  function failed(res: ServerResponse, requestId: string, err: unknown): void {
    log.error({ requestId, err: { message: err instanceof Error ? err.message : String(err) } }, 'the Slack edge guard failed');
    answer(res, 500, { error: 'netpeek failed while reading this request; see its log' }, true);
  }

  function refuseBusy(res: ServerResponse, requestId: string, startedMs: number, who: { user: string; channel: string; text: string } | undefined): void {
    const waiting = afterAck.waiting;
    log.warn({ requestId, waiting, user: who?.user, channel: who?.channel }, 'slash command refused: too many answers waiting (maxWaitingAnswers)');
    o.audit.record({
      requestId,
      source: 'slash',
      user: who?.user ?? '',
      channel: who?.channel ?? '',
      command: (who?.text ?? '').split(/\s+/)[0] || '(none)',
      target: who?.text ?? '',
      outcome: 'refused',
      reason: 'busy',
      durationMs: Date.now() - startedMs,
      at: new Date(startedMs).toISOString(),
    });
    answer(res, 200, { response_type: 'ephemeral', text: `netpeek is busy: ${waiting} questions are waiting for an answer. Nothing was run; ask again in a minute.` });
  }

  /** Bolt gets the request with the body already read, and the request's id on it. */
  function handOn(req: BufferedRequest, res: ServerResponse, raw: Buffer, mediaType: 'form' | 'json', requestId: string): void {
    req.rawBody = raw;
    req.netpeekRequestId = requestId;
    // Bolt compares the content type exactly (no "; charset=…").
    req.headers['content-type'] = mediaType === 'form' ? 'application/x-www-form-urlencoded' : 'application/json';
    res.setHeader('x-request-id', requestId);
    bolt(req, res);
  }

  return (req, res) => {
    const path = pathOf(req.url, o.endpoints);
    if (path === undefined) {
      answer(res, 400, { error: 'the request URL cannot be read' }, true);
      return;
    }
    if (req.method !== 'POST' || !o.endpoints.includes(path)) {
      bolt(req, res);
      return;
    }
    afterAck.noteArrival();
    const requestId = randomUUID();
    try {
      guard(req, res, requestId);
    } catch (err) {
      failed(res, requestId, err);
    }
  };
}
