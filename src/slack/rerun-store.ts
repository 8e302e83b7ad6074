import { randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Answer } from '../core/answer.js';
import type { Query } from '../core/query.js';
import type { Logger } from '../log.js';
import type { HeldAnswers } from '../store/store.js';

/** One answer "Probe again" can rerun: the question as it was authorized, and what it answered. */
export interface HeldAnswer {
  query: Query;
  answer: Answer;
}

/**
 * The answers under "Probe again" buttons, for as long as the button is valid. The button carries only
 * the id (signed): never the question or the steps. Each answer is kept in this process and written to
 * the store (`shared`: PostgreSQL for every replica, or the SQLite file that survives a restart), so a
 * click reaching another replica, or this one restarted, finds it. Only when neither has it (expired, or
 * the store was down when it was written) is the clicker told to ask again — nothing is guessed.
 */
export class RerunStore {
  private readonly held: LRUCache<string, HeldAnswer>;
  private readonly ttlMs: number;

  constructor(private readonly opts: { max: number; ttlMs: number; shared?: HeldAnswers; log?: Logger }) {
    this.held = new LRUCache({ max: opts.max, ttl: opts.ttlMs });
    this.ttlMs = opts.ttlMs;
  }

  /** Keeps the answer; returns the id for the button. A store that cannot be written is logged: this replica still holds it. */
  async hold(entry: HeldAnswer): Promise<string> {
    const id = randomBytes(12).toString('base64url');
    this.held.set(id, entry);
    if (this.opts.shared) {
      await this.opts.shared.put(id, JSON.stringify(entry), this.ttlMs).catch((err: unknown) => {
        this.opts.log?.warn({ err: { message: err instanceof Error ? err.message : String(err) } }, '"Probe again" answer not written to the store: only this replica can rerun it');
      });
    }
    return id;
  }

  async get(id: string): Promise<HeldAnswer | undefined> {
    const mine = this.held.get(id);
    if (mine || !this.opts.shared) return mine;
    try {
      const body = await this.opts.shared.get(id);
      return body === undefined ? undefined : (JSON.parse(body) as HeldAnswer);
    } catch (err) {
      this.opts.log?.warn({ err: { message: err instanceof Error ? err.message : String(err) } }, '"Probe again" answer could not be read from the store');
      return undefined;
    }
  }
}
