import type { Answer, Table } from '../core/answer.js';
import { createColors } from 'picocolors';
import { outline } from './outline.js';
import { verdictTone, type Tone } from './verdict-tone.js';

export interface TextOptions {
  /** ANSI bold/colour for headings; off for pipes, NO_COLOR and tests. */
  color?: boolean;
}

// picocolors with colour decided by the caller (stdout a TTY, no NO_COLOR, not --json), never by sniffing.
const palette = (on: boolean) => createColors(on);

/** The verdict's colour: green reachable/allowed/passed, red not, yellow partly or with warnings. */
function toned(c: ReturnType<typeof palette>, tone: Tone | undefined): (s: string) => string {
  if (tone === 'good') return c.green;
  if (tone === 'bad') return (s) => c.bold(c.red(s));
  if (tone === 'mixed') return c.yellow;
  return (s) => s;
}

/** A check's mark coloured: ✓ green, ✗ red, ! yellow. */
function markLine(c: ReturnType<typeof palette>, line: string): string {
  if (line.startsWith('✓')) return c.green(line);
  if (line.startsWith('✗')) return c.red(line);
  if (line.startsWith('!')) return c.yellow(line);
  return line;
}

/** Fixed-width table; empty columns are dropped so narrow answers stay narrow. */
export function formatTable(table: Table, indent = '  '): string[] {
  const used = table.columns.map((_, i) => table.rows.some((r) => (r[i] ?? '') !== ''));
  const cols = table.columns.filter((_, i) => used[i]);
  const rows = table.rows.map((r) => r.filter((_, i) => used[i]));
  if (cols.length === 1) return rows.map((r) => `${indent}${r[0] ?? ''}`);
  const widths = cols.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] ?? '').length)));
  // The last column is free text (a note): never pad it.
  const line = (cells: string[]) =>
    indent + cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(cols.map((c) => c.toUpperCase())), ...rows.map(line)];
}

/** Terminal rendering of an Answer. */
export function toText(answer: Answer, options: TextOptions = {}): string {
  const c = palette(options.color ?? false);
  const { bold, yellow } = c;
  const o = outline(answer);
  const out: string[] = [bold(o.title)];
  if (o.summary) out.push(toned(c, verdictTone(answer))(o.summary));
  if (o.checklist.length) out.push('', bold('Checks'), ...o.checklist.map((line) => `  ${markLine(c, line)}`));
  if (o.facts.length) {
    const width = Math.max(...o.facts.map(([k]) => k.length));
    out.push('', ...o.facts.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`));
  }
  for (const t of o.tables) {
    out.push('', bold(t.title));
    out.push(...(t.rows.length ? formatTable(t) : ['  (none)']));
  }
  if (o.sharing) out.push('', bold('Network namespace'), `  ${o.sharing}`);
  const probeOk = o.probes.length === answer.probes.length ? answer.probes.map((p) => p.ok) : [];
  if (o.probes.length) out.push('', bold('Probes'), ...o.probes.map((p, i) => `  ${probeOk[i] === undefined ? p : probeOk[i] ? c.green(p) : c.red(p)}`));
  if (o.warnings.length) out.push('', bold(yellow('Warnings')), ...o.warnings.map((w) => yellow(`  ! ${w}`)));
  if (o.explanations.length) out.push('', bold('Why'), ...o.explanations.map((e) => `  • ${e}`));
  if (o.hints.length) out.push('', bold('Next'), ...o.hints.map((h) => `  → ${h}`));
  // Unindented, so that it can be cut out and piped to `dot -Tpng`.
  if (o.dot) out.push('', bold('Graph (Graphviz DOT)'), o.dot);
  return out.join('\n') + '\n';
}

/** A failure as the terminal shows it: one line with the reason, then the details. */
export function errorToText(message: string, details: string[], options: TextOptions = {}): string {
  const { red } = palette(options.color ?? false);
  return [red(`netpeek: ${message}`), ...details.map((d) => `  ${d}`)].join('\n') + '\n';
}
