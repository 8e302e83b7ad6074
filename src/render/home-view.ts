import type { HomeView as SlackHomeView, KnownBlock } from '@slack/types';
import type { Answer } from '../core/answer.js';
import { contextBlock, escapeMrkdwn, headerBlock, sectionBlock, truncate, SLACK_LIMITS } from './blocks.js';

/**
 * The App Home tab (views.publish, type "home"): what `status` says about the backends, and the report
 * definitions with their next run and last verdict, each with a "Run now" button. Pure: it reads the
 * two Answers (or why the viewer may not see them), never a source.
 */
export const HOME_RUN_REPORT_ACTION = 'netpeek_home_run_report';

/** Slack allows 100 blocks in a Home view. */
const HOME_BLOCKS = 100;
/** Reports listed before "… and N more" (each is one section). */
export const HOME_REPORTS = 40;

export type HomeSection = { answer: Answer } | { refused: string };

export interface HomeParts {
  backends: HomeSection;
  reports: HomeSection;
  /** Carried back in every click on this view (the viewer's DM with the app, for the answer). */
  privateMetadata: string;
  /** A line at the top, e.g. "Ran report nightly: all 12 reachable". */
  notice?: string;
}

type HomeBlock = KnownBlock;

export type HomeView = SlackHomeView & { private_metadata: string; blocks: HomeBlock[] };

const refusedBlock = (why: string): HomeBlock => contextBlock(`:no_entry: ${escapeMrkdwn(why)}`);

function backendBlocks(s: HomeSection): HomeBlock[] {
  if ('refused' in s) return [refusedBlock(s.refused)];
  const a = s.answer;
  const table = a.tables.find((t) => t.title === 'Backends');
  const lines = (table?.rows ?? []).map(([name, state, detail]) => `${state === 'answers' ? ':large_green_circle:' : ':red_circle:'} *${escapeMrkdwn(name ?? '')}* — ${escapeMrkdwn(state ?? '')}${detail ? `: ${escapeMrkdwn(detail)}` : ''}`);
  return [...(a.summary ? [sectionBlock(escapeMrkdwn(a.summary))] : []), ...(lines.length ? [sectionBlock(lines.join('\n'))] : [])];
}

function reportBlocks(s: HomeSection): HomeBlock[] {
  if ('refused' in s) return [refusedBlock(s.refused)];
  const a = s.answer;
  const table = a.tables.find((t) => t.title === 'Reports');
  const col = (name: string) => table?.columns.indexOf(name) ?? -1;
  const [iName, iSchedule, iChannel, iNext, iLast, iVerdict] = ['report', 'schedule', 'channel', 'next run', 'last run', 'last verdict'].map(col) as [number, number, number, number, number, number];
  const rows = table?.rows ?? [];
  const blocks: HomeBlock[] = a.summary ? [contextBlock(escapeMrkdwn(a.summary))] : [];
  for (const row of rows.slice(0, HOME_REPORTS)) {
    const name = row[iName] ?? '';
    const text = [
      `*${escapeMrkdwn(name)}*  ·  ${escapeMrkdwn(row[iSchedule] ?? '')}  ·  ${escapeMrkdwn(row[iChannel] ?? '')}`,
      `Next run: ${escapeMrkdwn(row[iNext] ?? '—')}   Last run: ${escapeMrkdwn(row[iLast] ?? '—')}`,
      `Last verdict: ${escapeMrkdwn(row[iVerdict] ?? '—')}`,
    ].join('\n');
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: truncate(text, SLACK_LIMITS.sectionText) },
      accessory: { type: 'button', action_id: HOME_RUN_REPORT_ACTION, text: { type: 'plain_text', text: 'Run now', emoji: false }, value: truncate(name, 2000) },
    });
  }
  if (rows.length > HOME_REPORTS) blocks.push(contextBlock(`… and ${rows.length - HOME_REPORTS} more reports (\`/netpeek report\` lists all of them)`));
  if (!rows.length) blocks.push(contextBlock('No reports are defined (NETPEEK_REPORTS_FILE).'));
  for (const w of a.warnings.slice(0, 5)) blocks.push(contextBlock(`:warning: ${escapeMrkdwn(w)}`));
  return blocks;
}

export function homeView(parts: HomeParts): HomeView {
  const blocks: HomeBlock[] = [
    headerBlock('netpeek'),
    ...(parts.notice ? [contextBlock(parts.notice)] : []),
    headerBlock('Backends'),
    ...backendBlocks(parts.backends),
    headerBlock('Scheduled reports'),
    ...reportBlocks(parts.reports),
    contextBlock(`Updated ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC. Ask with \`/netpeek\`, a mention, or a message here.`),
  ];
  return { type: 'home', private_metadata: parts.privateMetadata, blocks: blocks.slice(0, HOME_BLOCKS) };
}
