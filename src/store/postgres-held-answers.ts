import type { Query } from './postgres-history.js';
import type { HeldAnswers } from './store.js';

/**
 * Held "Probe again" answers in PostgreSQL (table held_answers, migration 4), shared by every replica:
 * the replica that answered writes the row, whichever replica Slack sends the click to reads it.
 * Expired rows are pruned on write (indexed on expires_at).
 */
export class PostgresHeldAnswers implements HeldAnswers {
  constructor(
    private readonly sql: Query,
    private readonly now: () => number = Date.now,
  ) {}

  async put(id: string, body: string, ttlMs: number): Promise<void> {
    const now = this.now();
    await this.sql('DELETE FROM held_answers WHERE expires_at <= $1', [now]);
    await this.sql('INSERT INTO held_answers (id, body, expires_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET body = excluded.body, expires_at = excluded.expires_at', [id, body, now + ttlMs]);
  }

  async get(id: string): Promise<string | undefined> {
    const { rows } = await this.sql<{ body: string }>('SELECT body FROM held_answers WHERE id = $1 AND expires_at > $2', [id, this.now()]);
    return rows[0]?.body;
  }
}
