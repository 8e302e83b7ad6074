import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { BUTTON_ACTIONS, SUBJECT_KINDS, type ButtonAction, type SubjectKind } from '../core/kinds.js';


/** The signed reference carried in a button's `value`. Short keys keep it small. */
export interface ButtonPayload {
  /** Action to run. */
  c: ButtonAction;
  /** Subject kind (container, pod…). */
  k: SubjectKind;
  /** Subject name. */
  n: string;
  /** Namespace, for Kubernetes subjects. */
  ns?: string;
  /** Channel the answer was posted in; a value copied elsewhere is refused. */
  ch: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
  /** "Probe again": the id under which this netpeek holds the answer to rerun (rerun-store.ts). */
  r?: string;
}

const PAYLOAD = z
  .object({
    c: z.enum(BUTTON_ACTIONS),
    k: z.enum(SUBJECT_KINDS),
    n: z.string().min(1).max(253),
    ns: z.string().min(1).max(63).optional(),
    ch: z.string().min(1).max(32),
    exp: z.number().int().positive(),
    r: z.string().regex(/^[A-Za-z0-9_-]{8,32}$/).optional(),
  })
  .strict();

export type TokenCheck = { ok: true; payload: ButtonPayload } | { ok: false; reason: 'malformed' | 'forged' | 'expired' | 'wrong_channel' };

/** A 32-byte key for button values, derived (HKDF-SHA256) so the signing secret itself is never the HMAC key. */
export function deriveButtonKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'netpeek', 'netpeek-button-v1', 32));
}

function mac(key: Buffer, body: string): Buffer {
  return createHmac('sha256', key).update(body).digest();
}

/** `base64url(JSON payload).base64url(HMAC-SHA256)`. */
export function signButtonToken(payload: ButtonPayload, key: Buffer): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${mac(key, body).toString('base64url')}`;
}

/** Checks the MAC (constant time), then the shape, the expiry and the channel. */
export function verifyButtonToken(value: string, key: Buffer, opts: { channel: string; nowMs?: number }): TokenCheck {
  const parts = value.split('.');
  if (parts.length !== 2 || !parts[0] || !parts[1] || value.length > 2000) return { ok: false, reason: 'malformed' };
  const [body, sig] = parts as [string, string];
  const expected = mac(key, body);
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'forged' };
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const parsed = PAYLOAD.safeParse(json);
  if (!parsed.success) return { ok: false, reason: 'malformed' };
  const now = opts.nowMs ?? Date.now();
  if (parsed.data.exp * 1000 <= now) return { ok: false, reason: 'expired' };
  if (parsed.data.ch !== opts.channel) return { ok: false, reason: 'wrong_channel' };
  return { ok: true, payload: parsed.data };
}

/** The sentence a user sees when a button value is refused. */
export function tokenRefusal(reason: Exclude<TokenCheck, { ok: true }>['reason']): string {
  switch (reason) {
    case 'expired':
      return 'This button has expired (buttons work for a limited time after the answer). Ask again to get fresh buttons.';
    case 'wrong_channel':
      return 'This button belongs to an answer in another conversation; nothing was run. Ask again here.';
    default:
      return 'This button value was not issued by netpeek (its signature does not match); nothing was run.';
  }
}
