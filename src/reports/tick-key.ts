import type { TickRecord, TickState } from './model.js';

/**
 * Idempotency keys of ticks. A tick is claimed before its run, moved to `posting` before the message
 * is sent, and to `posted` after; each move is allowed only to the holder of the claim, so an instance
 * that lost its claim (a deposed leader, a process that restarted) can never post that tick.
 */
export interface TickLedger {
  get(report: string, key: string): Promise<TickRecord | undefined>;
  /**
   * Claims a tick for `claim.holder` (state `running`). Succeeds when nobody has it, when the holder
   * already has it, or when its state is one of `takeOver` (a claim left by an instance that is gone).
   * Returns the record as it stands after the attempt.
   */
  claim(claim: TickClaim, takeOver?: readonly TickState[]): Promise<{ ok: boolean; record: TickRecord }>;
  /** Moves a tick the holder owns; false when another instance holds it now (nothing is changed). */
  advance(report: string, key: string, holder: string, state: TickState, extra?: Pick<TickRecord, 'channel' | 'messageTs'>): Promise<boolean>;
}

export interface TickClaim {
  report: string;
  key: string;
  scheduledAt: string;
  holder: string;
  late: boolean;
  /** ISO time of the claim (the caller's clock, so tests control it). */
  at: string;
}

/** Final states: nothing more will happen to the tick. */
export function isFinal(state: TickState): boolean {
  return state === 'posted' || state === 'skipped';
}

/**
 * The decision every ledger applies in its own transaction: the record after a claim attempt, and
 * whether the claim was granted.
 */
export function decideClaim(existing: TickRecord | undefined, claim: TickClaim, takeOver: readonly TickState[]): { ok: boolean; record: TickRecord } {
  const fresh: TickRecord = { report: claim.report, key: claim.key, scheduledAt: claim.scheduledAt, state: 'running', holder: claim.holder, updatedAt: claim.at, ...(claim.late ? { late: true } : {}) };
  if (!existing) return { ok: true, record: fresh };
  if (isFinal(existing.state)) return { ok: false, record: existing };
  if (existing.holder === claim.holder) return { ok: true, record: { ...existing, updatedAt: claim.at } };
  if (takeOver.includes(existing.state)) return { ok: true, record: { ...existing, holder: claim.holder, updatedAt: claim.at, ...(claim.late ? { late: true } : {}) } };
  return { ok: false, record: existing };
}

/** The record after `advance`, or undefined when the holder does not own it. */
export function decideAdvance(existing: TickRecord | undefined, holder: string, state: TickState, at: string, extra: Pick<TickRecord, 'channel' | 'messageTs'> = {}): TickRecord | undefined {
  if (!existing || existing.holder !== holder || isFinal(existing.state)) return undefined;
  return { ...existing, state, updatedAt: at, ...extra };
}

/** A per-process identity: who holds a claim (pod name, pid, random). */
export function instanceId(podName: string, random: string): string {
  return `${podName}/${process.pid}/${random}`;
}
