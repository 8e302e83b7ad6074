import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { arch, cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: benches also run compiled from dist/, so walk up to netpeek's package.json. */
export function repoRoot(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'netpeek') return dir;
  }
  throw new Error('netpeek package.json not found above the benchmark');
}

const RESULTS = join(repoRoot(), 'bench', 'RESULTS.md');
const HEADER = '# Benchmark results\n\nEach section is rewritten by its benchmark (`npm run bench:<name>`); the baseline in a section was measured in the same run as netpeek\'s numbers.\n';

/** One line describing the machine and how busy it was, so a number is never read without its noise. */
export function machineLine(): string {
  const [one, five] = loadavg();
  return `${cpus().length} × ${cpus()[0]?.model.trim() ?? arch()}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; load average ${one?.toFixed(2)} (1 min) / ${five?.toFixed(2)} (5 min) at the end of the run`;
}

/** Replaces (or appends) the section `name` of bench/RESULTS.md. */
export function writeSection(name: string, markdown: string): void {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const block = `${start}\n${markdown.trim()}\n${end}`;
  let text = existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : HEADER;
  const re = new RegExp(`${start}[\\s\\S]*?${end}`);
  text = re.test(text) ? text.replace(re, block) : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(RESULTS, text);
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function median(values: number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}
