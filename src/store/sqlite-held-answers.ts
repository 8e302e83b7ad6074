import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { HeldAnswers } from './store.js';

/** Held "Probe again" answers in SQLite (table held_answers next to the report history); expired rows are pruned on write. */
export class SqliteHeldAnswers implements HeldAnswers {
  private readonly db: Database.Database;

  constructor(
    path: string,
    private readonly now: () => number = Date.now,
  ) {
    try {
      if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
      this.db = new Database(path);
    } catch (err) {
      throw new Error(`netpeek cannot open ${path} (NETPEEK_REPORTS_DB) to hold "Probe again" answers: ${err instanceof Error ? err.message : String(err)}. Point it at a writable volume.`);
    }
    if (path !== ':memory:') this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`CREATE TABLE IF NOT EXISTS held_answers (
      id TEXT PRIMARY KEY,
      body TEXT NOT NULL,
      expires_at INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS held_answers_expiry ON held_answers (expires_at);`);
  }

  async put(id: string, body: string, ttlMs: number): Promise<void> {
    const now = this.now();
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM held_answers WHERE expires_at <= ?').run(now);
      this.db.prepare('INSERT OR REPLACE INTO held_answers (id, body, expires_at) VALUES (?, ?, ?)').run(id, body, now + ttlMs);
    })();
  }

  async get(id: string): Promise<string | undefined> {
    const row = this.db.prepare('SELECT body FROM held_answers WHERE id = ? AND expires_at > ?').get(id, this.now()) as { body: string } | undefined;
    return row?.body;
  }

  close(): void {
    this.db.close();
  }
}
