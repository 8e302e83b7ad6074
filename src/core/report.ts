import type { Table } from './answer.js';

/**
 * A report run as the channel sees it: the report Answer type. Plain, JSON-safe data built by
 * src/reports/ from a run and its diff; src/render/report-blocks.ts turns it into Block Kit with the
 * same helpers as every other answer. (In a terminal or a slash command, `report <name>` is an ordinary
 * Answer with these rows as tables.)
 */

/** Slack message metadata `event_type` of report posts: lets any replica find a tick's post in the channel. */
export const REPORT_EVENT_TYPE = 'netpeek_report';

/** One line of a section of the post. */
export type ReportLine =
  /** One probe of one target: "*pod a* tcp/80 from node a: refused _(new)_ — detail". */
  | { kind: 'result'; subject: string; probe: string; from: string; outcome: string; tag?: string; detail?: string }
  /** Targets not probed for one cause from one place; `subject`/`probe` when it is a single one. */
  | { kind: 'not-probed'; count: number; subject: string; probe: string; from?: string; reason: string; detail?: string }
  /** A change over runs: "*pod a* icmp: 1.2 ms → 40 ms", "*pod a*: 4 changes in the last 6 runs". */
  | { kind: 'change'; subject: string; probe?: string; text: string };

export interface ReportSection {
  title: string;
  lines: ReportLine[];
  /** What the "… and N more" line says is elsewhere ("in the thread"). */
  more: string;
}

/** The last runs of a report, oldest first: the chart posted with it and the terminal's sparkline. */
export interface ReportTrend {
  title: string;
  /** Short times of the runs ("09:00", "Mon 21:00"). */
  labels: string[];
  /** Targets that answered, of those probed, in %; null where nothing was probed. */
  reachablePct: (number | null)[];
  /** p95 of the answering probes' times, ms; null without one. */
  p95Ms: (number | null)[];
}

export interface ReportDigest {
  /** The report's name. */
  name: string;
  /** The one-line verdict the post leads with. */
  verdict: string;
  /** The worst outcome of the run, for the icon. */
  state: 'failed' | 'not-probed' | 'ok';
  late: boolean;
  /** Nothing failed, recovered or changed: the verdict alone is the post. */
  brief: boolean;
  /** "Scheduled … · N targets probed in …". */
  when: string;
  sections: ReportSection[];
  /** Notes of the run (refused targets, capped groups). */
  notes: string[];
  /** Results in the run. */
  total: number;
  /** Every result, failures first: thread replies when the post cannot show everything. */
  table: Table;
  /** Metadata naming the report and tick. */
  metadata: { event_type: typeof REPORT_EVENT_TYPE; event_payload: Record<string, string> };
  /** Two runs or more: the trend picture posted with the report. */
  trend?: ReportTrend;
}
