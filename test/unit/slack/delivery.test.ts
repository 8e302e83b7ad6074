import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log.js';
import { backoffMs, classifySendError, deliver, DeliveryError } from '../../../src/slack/delivery.js';

const webApi = (code: string, extra: object = {}) => Object.assign(new Error(code), { code, ...extra });
const axiosErr = (status?: number, headers: Record<string, string> = {}) =>
  Object.assign(new Error('axios'), { isAxiosError: true, ...(status === undefined ? {} : { response: { status, headers } }) });

function logger() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(c: Buffer, _e, cb) {
      for (const l of c.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { log: createLogger('info', sink), lines };
}

describe('classifySendError', () => {
  it('retries rate limits with Slack\'s Retry-After', () => {
    expect(classifySendError(webApi('slack_webapi_rate_limited_error', { retryAfter: 3 }))).toEqual({ retry: true, retryAfterMs: 3000 });
    expect(classifySendError(axiosErr(429, { 'retry-after': '2' }))).toEqual({ retry: true, retryAfterMs: 2000 });
  });

  it('retries 5xx and network failures', () => {
    expect(classifySendError(webApi('slack_webapi_http_error', { statusCode: 503 }))).toEqual({ retry: true });
    expect(classifySendError(webApi('slack_webapi_request_error'))).toEqual({ retry: true });
    expect(classifySendError(webApi('slack_webapi_platform_error', { data: { error: 'internal_error' } }))).toEqual({ retry: true });
    expect(classifySendError(axiosErr(502))).toEqual({ retry: true });
    expect(classifySendError(axiosErr(undefined))).toEqual({ retry: true });
  });

  it('does not retry what a retry cannot fix', () => {
    expect(classifySendError(webApi('slack_webapi_platform_error', { data: { error: 'channel_not_found' } }))).toEqual({ retry: false });
    expect(classifySendError(webApi('slack_webapi_http_error', { statusCode: 400 }))).toEqual({ retry: false });
    expect(classifySendError(axiosErr(404))).toEqual({ retry: false });
    expect(classifySendError(new TypeError('bug'))).toEqual({ retry: false });
  });
});

describe('backoffMs', () => {
  const policy = { attempts: 10, baseDelayMs: 100, maxDelayMs: 1000 };
  it('doubles per attempt with jitter and is capped', () => {
    expect(backoffMs(1, policy, () => 1)).toBe(100);
    expect(backoffMs(2, policy, () => 1)).toBe(200);
    expect(backoffMs(3, policy, () => 0)).toBe(200);
    expect(backoffMs(10, policy, () => 1)).toBe(1000);
  });
});

describe('deliver', () => {
  const policy = { attempts: 4, baseDelayMs: 1, maxDelayMs: 5 };

  it('retries transient failures until it works, logging each retry', async () => {
    const { log, lines } = logger();
    let n = 0;
    const result = await deliver('chat.postMessage', async () => {
      n += 1;
      if (n < 3) throw webApi('slack_webapi_http_error', { statusCode: 500 });
      return 'ok';
    }, policy, log);
    expect(result).toBe('ok');
    expect(n).toBe(3);
    expect(lines.filter((l) => l.msg === 'slack delivery failed; retrying')).toHaveLength(2);
  });

  it('gives up after the attempts, logs an error and throws DeliveryError', async () => {
    const { log, lines } = logger();
    let n = 0;
    const p = deliver('respond', async () => {
      n += 1;
      throw axiosErr(503);
    }, policy, log);
    await expect(p).rejects.toBeInstanceOf(DeliveryError);
    expect(n).toBe(4);
    expect(lines.at(-1)).toMatchObject({ level: 50, what: 'respond', attempts: 4, msg: 'slack delivery failed; the reply was not delivered' });
  });

  it('does not retry a permanent error', async () => {
    const { log } = logger();
    let n = 0;
    await expect(
      deliver('chat.postMessage', async () => {
        n += 1;
        throw webApi('slack_webapi_platform_error', { data: { error: 'not_in_channel' } });
      }, policy, log),
    ).rejects.toThrow(/Slack said not_in_channel/);
    expect(n).toBe(1);
  });

  it('gives up rather than wait longer than a minute for Retry-After', async () => {
    const { log } = logger();
    await expect(deliver('x', async () => Promise.reject(webApi('slack_webapi_rate_limited_error', { retryAfter: 600 })), policy, log)).rejects.toBeInstanceOf(DeliveryError);
  });
});
