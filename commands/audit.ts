import { newAnswer, type Answer } from '../src/core/answer.js';
import { BackendError, UserError } from '../src/core/errors.js';
import type { NetpeekCommand } from '../src/deps.js';
import { StateUnavailableError } from '../src/store/store.js';
import type { AuditEntry, AuditFilter } from '../src/store/audit-log.js';

const SLACK_USER = /^[UW][A-Z0-9]{2,}$/;
const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const SHOWN = 50;

/** `--since 90m` / `1h` / `7d` / an ISO time → the ISO time it means, now being `now`. */
export function parseSince(raw: string, now: number): string {
  const m = /^(\d{1,6})([smhdw])$/.exec(raw.trim());
  if (m) return new Date(now - Number(m[1]) * UNITS[m[2] as string]!).toISOString();
  if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(raw.trim())) {
    const t = Date.parse(raw.trim());
    if (!Number.isNaN(t)) {
      if (t > now) throw new UserError(`--since ${raw} is in the future, so nothing can have happened since.`, ['Example: audit --since 1h']);
      return new Date(t).toISOString();
    }
  }
  throw new UserError(`--since takes a duration back from now or a time; "${raw}" is neither.`, [
    'Durations: a number and s, m, h, d or w (30m, 1h, 7d). Times: 2025-01-31 or 2025-01-31T09:00Z.',
    'Example: audit --since 1h --command pod',
  ]);
}

export const audit: NetpeekCommand = {
  name: 'audit',
  aliases: [],
  summary: 'Who asked netpeek what, where, and how it ended (the audit log, shared by every replica with PostgreSQL)',
  args: [],
  flags: ['user', 'since', 'command'],
  examples: ['audit', 'audit --since 1h', 'audit --user U0123ABCD --command pod --since 7d'],
  subject: { role: 'about', kind: 'audit' },
  sendsPackets: 'never',
  showsAudit: true,
  description:
    'Reads the audit log: one record per question asked in Slack (slash command, mention, DM, button), newest first. ' +
    'With NETPEEK_DATABASE_URL it is the log of every replica; without, the SQLite file of this host (NETPEEK_SLACK_AUDIT_DB). ' +
    'In Slack only users listed in NETPEEK_SLACK_AUDIT_USERS may run it.',
  async run(query, deps, { registry }) {
    const filter: AuditFilter = { limit: SHOWN + 1 };
    const { user, since, command } = query.flags;
    if (user !== undefined) {
      if (!SLACK_USER.test(user)) throw new UserError(`--user takes a Slack user ID like U0123ABCD; "${user}" is not one.`, ['Find it in the user\'s Slack profile (⋮ → Copy member ID). Example: audit --user U0123ABCD']);
      filter.user = user;
    }
    if (since !== undefined) filter.since = parseSince(since, Date.now());
    if (command !== undefined) {
      const found = registry.find(command.toLowerCase());
      if (!found) throw new UserError(`--command ${command}: netpeek has no command of that name.`, [`Commands: ${registry.list().map((c) => c.name).join(', ')}`, 'Example: audit --command pod']);
      filter.command = found.name;
    }
    const store = deps.store;
    if (!store) throw new BackendError('store', 'No audit log is open here.', ['Run netpeek where NETPEEK_DATABASE_URL or NETPEEK_SLACK_AUDIT_DB points at the audit log.']);
    let rows: AuditEntry[];
    try {
      rows = await store.audit.query(filter);
    } catch (err) {
      if (err instanceof StateUnavailableError) throw new BackendError('store', `The audit log cannot be read: ${err.message}.`, ['netpeek reconnects by itself; `status` shows the store. Every record is also a log line (msg "audit").']);
      throw err;
    }
    return auditAnswer(rows, filter, store.shared);
  },
};

function auditAnswer(rows: AuditEntry[], filter: AuditFilter, shared: boolean): Answer {
  const shown = rows.slice(0, SHOWN);
  const what = [filter.user ? `by ${filter.user}` : '', filter.command ? `running ${filter.command}` : '', filter.since ? `since ${filter.since}` : ''].filter(Boolean).join(', ');
  const summary = shown.length
    ? `${rows.length > SHOWN ? `The newest ${SHOWN}` : shown.length === 1 ? 'One question' : `${shown.length} questions`}${what ? ` ${what}` : ''}, newest first${shared ? ', from every replica' : ''}.`
    : `No questions${what ? ` ${what}` : ''} in the audit log${shared ? '' : ' of this host'}.`;
  return newAnswer('audit', 'netpeek audit log', {
    subject: { kind: 'audit', name: 'audit log' },
    summary,
    facts: [{ label: 'Audit log', value: shared ? 'PostgreSQL, shared by every replica' : 'SQLite file of this host (other replicas keep their own)' }],
    tables: [
      {
        title: 'Questions',
        columns: ['time', 'user', 'channel', 'via', 'command', 'target', 'outcome', 'ms'],
        rows: shown.map((e) => [e.at, e.user, e.channel, e.source, e.command, e.target, e.reason ? `${e.outcome} (${e.reason})` : e.outcome, String(e.durationMs)]),
      },
    ],
    hints: rows.length > SHOWN ? ['Narrow it down with --since, --user or --command.'] : [],
  });
}
