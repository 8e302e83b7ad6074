import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The `bin` entry of package.json (the esbuild bundle of the CLI), exactly what `npx netpeek` runs. */
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { bin: { netpeek: string } };
export const NETPEEK_BIN = fileURLToPath(new URL(`../../${pkg.bin.netpeek}`, import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built binary with a clean environment (no .env, no colours) unless `env` adds to it. */
export function netpeek(args: string[], env: Record<string, string> = {}, input?: string, cwd?: string): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [NETPEEK_BIN, ...args],
      {
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', NO_COLOR: '1', LOG_LEVEL: 'silent', NETPEEK_HISTORY_FILE: '', ...env },
        cwd: cwd ?? fileURLToPath(new URL('../../test', import.meta.url)),
        timeout: 60_000,
      },
      (err, stdout, stderr) => {
        const code = err && typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : err ? 99 : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
    else child.stdin?.end();
  });
}

/** A table of the text renderer's output: its lines under `title` (up to the next blank line), split into cells. */
export function textTable(stdout: string, title: string): string[][] {
  const lines = stdout.split('\n');
  const start = lines.indexOf(title);
  if (start === -1) throw new Error(`no "${title}" table in:\n${stdout}`);
  const end = lines.findIndex((l, i) => i > start && l.trim() === '');
  return lines.slice(start + 1, end === -1 ? undefined : end).map((l) => l.trim().split(/\s{2,}/));
}
