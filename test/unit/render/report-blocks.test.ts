import { describe, expect, it } from 'vitest';
import { toBlocks } from '../../../src/render/blocks.js';
import { toText } from '../../../src/render/text.js';
import { diffRuns } from '../../../src/reports/diff.js';
import type { ReportRun } from '../../../src/reports/model.js';
import type { ReportView } from '../../../src/reports/catalog.js';
import { MAIN_ROWS, toReportMessage } from '../../../src/render/report-blocks.js';
import { listingAnswer, reportAnswer } from '../../../src/reports/report-answer.js';
import { reportDigest } from '../../../src/reports/report-digest.js';

// The channel post is the digest of the run rendered by src/render/; the command's Answer is built beside it.
const renderReportMessage = (v: ReportView) => toReportMessage(reportDigest(v));
const renderReportAnswer = reportAnswer;
const renderListingAnswer = listingAnswer;
import { def, row, run } from '../reports/helpers.js';

function view(current: ReportRun, previous?: ReportRun): ReportView {
  return { def: def(), run: current, diff: diffRuns(current, previous), now: Date.parse('2024-05-03T10:05:00Z') };
}

type AnyBlock = { type: string; text?: { text: string }; elements?: { text: string }[] };
const textOf = (blocks: unknown[]) => (blocks as AnyBlock[]).map((b) => b.text?.text ?? b.elements?.map((e) => e.text).join(' ') ?? '').join('\n');

function withinLimits(blocks: unknown[]): void {
  expect(blocks.length).toBeLessThanOrEqual(50);
  for (const b of blocks as AnyBlock[]) {
    if (b.text) expect(b.text.text.length).toBeLessThanOrEqual(b.type === 'header' ? 150 : 3000);
    for (const e of b.elements ?? []) expect(e.text.length).toBeLessThanOrEqual(3000);
  }
}

describe('report rendering', () => {
  it('all reachable: one line, no thread', () => {
    const r = run('2024-05-03T10:00:00Z', [row('a icmp', 'ok'), row('b icmp', 'ok')]);
    const m = renderReportMessage(view(r));
    expect(m.blocks).toHaveLength(1);
    expect(textOf(m.blocks)).toBe(':large_green_circle: *web*: all 2 reachable');
    expect(m.thread).toEqual([]);
    expect(m.metadata).toEqual({ event_type: 'netpeek_report', event_payload: { report: 'web', tick: r.tickKey, scheduled_at: r.scheduledAt } });
  });

  it('leads with the verdict, failures first (new ones first) with their reason, then not-probed grouped by cause', () => {
    const prev = run('2024-05-03T09:00:00Z', [row('pod default/old icmp', 'failed'), row('pod default/new icmp', 'ok'), row('pod default/back icmp', 'failed')]);
    const cur = run('2024-05-03T10:00:00Z', [
      row('pod default/old icmp', 'failed', { reason: 'unreachable' }),
      row('pod default/new tcp/80', 'failed', { kind: 'tcp', port: 80, reason: 'refused', subject: 'pod default/new' }),
      row('pod default/back icmp', 'ok'),
      row('pod default/x icmp', 'not-probed', { from: 'node b', reason: 'agent down', detail: 'agent http://10.0.0.2:7070 (node b) refused the connection' }),
      row('pod default/y icmp', 'not-probed', { from: 'node b', reason: 'agent down', detail: 'agent http://10.0.0.2:7070 (node b) refused the connection' }),
    ]);
    const m = renderReportMessage(view(cur, prev));
    const text = textOf(m.blocks);
    expect(m.text).toBe('web: 2 of 5 targets unreachable; 1 new since 09:00; 2 not probed; 1 recovered');
    expect((m.blocks[1] as AnyBlock).text?.text).toBe(':red_circle: *2 of 5 targets unreachable; 1 new since 09:00; 2 not probed; 1 recovered*');
    const lines = text.split('\n');
    const at = (s: string) => lines.findIndex((l) => l.includes(s));
    expect(at('*pod default/new* tcp/80 from node a: refused _(new)_')).toBeGreaterThan(0);
    expect(at('*pod default/new*')).toBeLessThan(at('*pod default/old* icmp from node a: unreachable _(still failing)_'));
    expect(text).toContain('• 2 targets from node b: not probed: agent down — agent http://10.0.0.2:7070 (node b) refused the connection');
    expect(text).toContain('*Recovered (1)*');
    withinLimits(m.blocks);
  });

  it('a long report stays within Block Kit limits and puts the full table in thread replies', () => {
    const results = Array.from({ length: 1000 }, (_, i) =>
      row(`pod shop/web-${String(i).padStart(4, '0')}-abcdefghij tcp/8080`, i % 7 === 0 ? 'failed' : i % 50 === 1 ? 'not-probed' : 'ok', { kind: 'tcp', port: 8080, subject: `pod shop/web-${i}-abcdefghij`, reason: i % 7 === 0 ? 'timeout' : i % 50 === 1 ? `agent down ${i % 3}` : undefined, from: `node n${i % 10}` }),
    );
    const m = renderReportMessage(view(run('2024-05-03T10:00:00Z', results)));
    withinLimits(m.blocks);
    expect(textOf(m.blocks)).toMatch(/… and \d+ more in the thread/);
    expect(textOf(m.blocks)).toContain('Full table of all 1000 results in the thread');
    expect(m.thread.length).toBeGreaterThanOrEqual(1);
    for (const t of m.thread) withinLimits(t.blocks);
    const table = m.thread.map((t) => textOf(t.blocks)).join('\n');
    expect(table.match(/pod shop\/web-/g)).toHaveLength(1000);
    // Failures first in the table too.
    expect(table.indexOf('FAILED')).toBeLessThan(table.indexOf('NOT PROBED'));
    expect(table.lastIndexOf('FAILED')).toBeLessThan(table.search(/\nok {2,}/));
    expect(table.search(/\nok {2,}/)).toBeGreaterThan(0);
    expect(JSON.stringify(m).length).toBeLessThan(500_000);
  });

  it('a short report with failures has no thread', () => {
    const m = renderReportMessage(view(run('2024-05-03T10:00:00Z', [row('a icmp', 'failed'), row('b icmp', 'ok')])));
    expect(m.thread).toEqual([]);
    expect(MAIN_ROWS).toBeGreaterThan(2);
  });

  it('says when a run was late', () => {
    const r = run('2024-05-03T10:00:00Z', [row('a icmp', 'failed')], { late: true, trigger: 'catch-up', startedAt: '2024-05-03T10:04:00Z' });
    const m = renderReportMessage(view(r));
    expect((m.blocks[0] as AnyBlock).text?.text).toBe('Reachability report: web (late)');
    expect(textOf(m.blocks)).toContain('late: ran 10:04 because no replica was running the schedule at its time');
  });

  it('as an Answer: verdict, failures, the full table; renders in Slack and the terminal', () => {
    const cur = run('2024-05-03T10:00:00Z', [row('a icmp', 'failed', { reason: 'timeout' }), row('b icmp', 'ok', { ms: 0.42 })]);
    const a = renderReportAnswer(view(cur), { posted: false });
    expect(a).toMatchObject({ command: 'report', title: 'report web', summary: '1 of 2 targets unreachable', subject: { kind: 'report', name: 'web' } });
    expect(a.tables.map((t) => t.title)).toEqual(['Unreachable', 'All results']);
    expect(a.hints[0]).toContain('not posted or stored');
    expect(toText(a)).toContain('FAILED (new)  a icmp  icmp   10.0.0.1  node a  timeout');
    withinLimits(toBlocks(a).blocks);
    expect(JSON.parse(JSON.stringify(a))).toEqual(a);
  });

  it('the listing shows next run, last verdict and refused definitions', () => {
    const a = renderListingAnswer(
      {
        file: 'reports.yaml',
        runner: 'leader',
        reports: [{ def: def(), nextRunAt: '2024-05-03T11:00:00.000Z', last: { scheduledAt: '2024-05-03T10:00:00.000Z', verdict: 'all 3 reachable', late: false, counts: { total: 3, ok: 3, failed: 0, notProbed: 0, slow: 0 } } }],
        problems: [{ file: 'reports.yaml', report: 'typo', field: 'reports[1].schedule', line: 9, column: 15, message: 'bad cron' }],
      },
      Date.parse('2024-05-03T10:30:00Z'),
    );
    expect(a.summary).toBe('1 report; 1 refused; this replica runs the schedules (it holds the lease).');
    expect(a.tables[0]?.rows).toEqual([['web', '0 * * * * (UTC)', 'C0123ABCD', '11:00', '10:00', 'all 3 reachable']]);
    expect(a.warnings).toEqual(['Refused: reports.yaml:9:15: report typo: reports[1].schedule: bad cron']);
  });
});
