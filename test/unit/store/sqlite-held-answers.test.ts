/** Held "Probe again" answers in a real SQLite file: kept by id until they expire, and still there after reopening. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { SqliteHeldAnswers } from '../../../src/store/sqlite-held-answers.js';

const dir = mkdtempSync(join(tmpdir(), 'netpeek-held-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('keeps a body until its TTL passes, survives a reopen, and prunes expired rows on write', async () => {
  let now = 1_000_000;
  const path = join(dir, 'reports.db');
  const held = new SqliteHeldAnswers(path, () => now);
  await held.put('a1', '{"answer":1}', 60_000);
  expect(await held.get('a1')).toBe('{"answer":1}');
  expect(await held.get('nope')).toBeUndefined();
  held.close();
  const reopened = new SqliteHeldAnswers(path, () => now);
  expect(await reopened.get('a1')).toBe('{"answer":1}');
  now += 60_000;
  expect(await reopened.get('a1')).toBeUndefined();
  await reopened.put('a2', '{"answer":2}', 1000);
  expect(await reopened.get('a2')).toBe('{"answer":2}');
  reopened.close();
});
