import type { AuditEntry } from './audit-log.js';

/**
 * Audit records waiting for the database, oldest first, at most `capacity`. A record that does not fit
 * is counted as lost (the caller logs it); the ones already waiting are kept, so the gap is at the end.
 */
export class AuditBuffer {
  private readonly items: AuditEntry[] = [];
  lost = 0;

  constructor(readonly capacity: number) {}

  /** False when the buffer is full and the record was dropped (and counted). */
  push(entry: AuditEntry): boolean {
    if (this.items.length >= this.capacity) {
      this.lost += 1;
      return false;
    }
    this.items.push(entry);
    return true;
  }

  /** Up to `max` of the oldest records, still in the buffer until `drop` confirms them written. */
  peek(max: number): AuditEntry[] {
    return this.items.slice(0, max);
  }

  drop(n: number): void {
    this.items.splice(0, n);
  }

  get size(): number {
    return this.items.length;
  }
}
