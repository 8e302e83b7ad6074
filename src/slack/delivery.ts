import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../log.js';

/** How hard to try posting a reply before giving up (and logging it as undelivered). */
export interface RetryPolicy {
  /** Total attempts, including the first. */
  attempts: number;
  /** Delay before the first retry; doubles per attempt (with jitter). */
  baseDelayMs: number;
  /** Cap of the exponential delay. */
  maxDelayMs: number;
}

/** Slack's Retry-After is honoured up to this; a longer wait gives up rather than holding a reply for minutes. */
export const MAX_RETRY_AFTER_MS = 60_000;

/** Thrown when every attempt failed or the failure is not worth retrying; carries the last error. */
export class DeliveryError extends Error {
  constructor(
    readonly what: string,
    readonly attempts: number,
    override readonly cause: unknown,
  ) {
    super(`${what} failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${describeSendError(cause)}`);
    this.name = 'DeliveryError';
  }
}

interface ErrorShape {
  code?: string;
  statusCode?: number;
  retryAfter?: number;
  data?: { error?: string };
  isAxiosError?: boolean;
  response?: { status?: number; headers?: Record<string, unknown> };
  message?: string;
}

// Platform errors (HTTP 200, ok:false) that mean "Slack had a problem", not "the request is wrong".
const TRANSIENT_PLATFORM_ERRORS = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

function retryAfterHeader(headers: Record<string, unknown> | undefined): number | undefined {
  const raw = headers?.['retry-after'];
  const n = Number.parseInt(String(raw ?? ''), 10);
  return Number.isFinite(n) && n >= 0 ? n * 1000 : undefined;
}

/**
 * What a failed send means: `{ retry: true, waitMs }` with Slack's Retry-After when it sent one, or
 * `{ retry: false }` for errors a retry cannot fix (bad channel, invalid blocks, 4xx). Works for both
 * @slack/web-api errors (chat.postMessage…) and axios errors (Bolt's respond() to a response_url).
 */
export function classifySendError(err: unknown): { retry: false } | { retry: true; retryAfterMs?: number } {
  const e = (err ?? {}) as ErrorShape;
  switch (e.code) {
    case 'slack_webapi_rate_limited_error':
      return { retry: true, retryAfterMs: (e.retryAfter ?? 1) * 1000 };
    case 'slack_webapi_request_error':
      return { retry: true };
    case 'slack_webapi_http_error':
      return (e.statusCode ?? 0) >= 500 || e.statusCode === 408 ? { retry: true } : { retry: false };
    case 'slack_webapi_platform_error':
      return TRANSIENT_PLATFORM_ERRORS.has(e.data?.error ?? '') ? { retry: true } : { retry: false };
    default:
      break;
  }
  if (e.isAxiosError) {
    const status = e.response?.status;
    if (status === undefined) return { retry: true }; // no response: connection refused/reset, timeout
    if (status === 429) return { retry: true, retryAfterMs: retryAfterHeader(e.response?.headers) ?? 1000 };
    if (status >= 500 || status === 408) return { retry: true };
    return { retry: false };
  }
  return { retry: false };
}

/** Exponential backoff with jitter (50–100 % of the step), capped. `attempt` is 1 for the first retry. */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(step * (0.5 + random() / 2));
}

/** Slack's error code of a refused Web API call (`not_in_channel`), through a DeliveryError; undefined for anything else. */
export function slackErrorCode(err: unknown): string | undefined {
  const e = (err instanceof DeliveryError ? err.cause : err ?? {}) as ErrorShape;
  return e.code === 'slack_webapi_platform_error' ? e.data?.error : undefined;
}

export function describeSendError(err: unknown): string {
  const e = (err ?? {}) as ErrorShape;
  if (e.isAxiosError) return `HTTP ${e.response?.status ?? 'no response'} from response_url`;
  if (e.code === 'slack_webapi_platform_error') return `Slack said ${e.data?.error ?? 'error'}`;
  if (e.code === 'slack_webapi_http_error') return `HTTP ${e.statusCode ?? '?'}`;
  if (e.code === 'slack_webapi_rate_limited_error') return `rate limited (retry after ${e.retryAfter ?? '?'} s)`;
  return e.message ?? String(err);
}

/**
 * Runs `send` until it succeeds, retrying transient failures (429 with Retry-After, 5xx, network) with
 * capped backoff. Every retry and the final failure are logged; the final failure is thrown as a
 * DeliveryError so the caller can record it — a reply is never dropped silently.
 */
export async function deliver<T>(what: string, send: () => Promise<T>, policy: RetryPolicy, log: Logger): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await send();
    } catch (err) {
      const verdict = classifySendError(err);
      if (!verdict.retry || attempt >= policy.attempts) {
        const failure = new DeliveryError(what, attempt, err);
        log.error({ what, attempts: attempt, reason: describeSendError(err) }, 'slack delivery failed; the reply was not delivered');
        throw failure;
      }
      if (verdict.retryAfterMs !== undefined && verdict.retryAfterMs > MAX_RETRY_AFTER_MS) {
        log.error({ what, attempts: attempt, retryAfterMs: verdict.retryAfterMs }, 'slack asked to wait longer than netpeek holds a reply; giving up');
        throw new DeliveryError(what, attempt, err);
      }
      const waitMs = verdict.retryAfterMs ?? backoffMs(attempt, policy);
      log.warn({ what, attempt, waitMs, reason: describeSendError(err) }, 'slack delivery failed; retrying');
      await sleep(waitMs);
    }
  }
}
