import { randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Answer } from '../core/answer.js';
import type { Query } from '../core/query.js';

/** One answer "Probe again" can rerun: the question as it was authorized, and what it answered. */
export interface HeldAnswer {
  query: Query;
  answer: Answer;
}

/**
 * The answers under a "Probe again" button, held in this process for as long as the button is valid.
 * The button carries only the id (signed): never the question or the steps. A click that reaches a
 * process that does not hold it (restarted, another replica) is told to ask again — nothing is guessed.
 */
export class RerunStore {
  private readonly held: LRUCache<string, HeldAnswer>;

  constructor(opts: { max: number; ttlMs: number }) {
    this.held = new LRUCache({ max: opts.max, ttl: opts.ttlMs });
  }

  /** Keeps the answer; returns the id for the button. */
  hold(entry: HeldAnswer): string {
    const id = randomBytes(12).toString('base64url');
    this.held.set(id, entry);
    return id;
  }

  get(id: string): HeldAnswer | undefined {
    return this.held.get(id);
  }
}
