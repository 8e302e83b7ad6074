import { appendFile, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const HISTORY_LIMIT = 500;

/** Where the console keeps its history: config, else ~/.netpeek_history; "" turns it off. */
export function historyPath(configured: string | undefined): string | undefined {
  if (configured === '') return undefined;
  return configured ?? join(homedir(), '.netpeek_history');
}

/** Newest first, as readline wants it. A missing or unreadable file is an empty history. */
export async function loadHistory(path: string | undefined): Promise<string[]> {
  if (!path) return [];
  try {
    const lines = (await readFile(path, 'utf8')).split('\n').filter((l) => l.trim() !== '');
    return lines.slice(-HISTORY_LIMIT).reverse();
  } catch {
    return [];
  }
}

export async function appendHistory(path: string | undefined, line: string): Promise<void> {
  if (!path) return;
  try {
    await appendFile(path, `${line.replace(/\n/g, ' ')}\n`, { mode: 0o600 });
  } catch {
    // History is a convenience; a read-only home must not break the console.
  }
}
