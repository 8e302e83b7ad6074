import type { Answer } from '../core/answer.js';
import { answerQuery } from '../core/ask.js';
import { noteStaleCache } from '../sources/kube-freshness.js';
import { describeFailure } from '../core/errors.js';
import { formatQuery, parseQuery, parseTokens, refuseTerminalOnlyFlags, type Query } from '../core/query.js';
import { normalizeTarget } from '../core/targets.js';
import type { CommandRegistry } from '../core/registry.js';
import { forConversation, type Deps, type NetpeekCommand } from '../deps.js';
import type { Logger } from '../log.js';
import type { AuditLog, AuditOutcome, AuditSource } from '../store/audit-log.js';
import { decideAccess } from './authorization.js';
import { focusAnswer } from './buttons.js';
import type { Focus } from './lenient-question.js';
import type { AccessPolicy } from './slack-config.js';

/**
 * The steps of the Slack answer flow (answer-flow.ts) that know nothing of delivery:
 * parse → resolve (once) → authorize → run → Answer, and the audit record.
 */

/** Who asked, where, and the request's child logger. */
export interface Asker {
  requestId: string;
  source: AuditSource;
  user: string;
  channel: string;
  isDm: boolean;
  log: Logger;
  /** Date.now() when the request arrived. */
  startedMs: number;
}

export interface Pipeline {
  prepare(asker: Asker, input: { text: string } | { tokens: string[]; text: string }): Prepared;
  /** Runs the command; with `rerunOf` (an earlier answer to the same question), only its live steps. */
  run(asker: Asker, ready: Ready, focus?: Focus, rerunOf?: Answer): Promise<Ran>;
  record(asker: Asker, what: { command: string; target: string }, outcome: AuditOutcome, reason?: string): void;
  registry: CommandRegistry<Deps>;
}

export interface Ready {
  ok: true;
  query: Query;
  command: NetpeekCommand;
  probe: boolean;
  namespaces?: readonly string[];
  /** The command line as netpeek understood it, for "probing …" and "read as …". */
  commandLine: string;
  target: string;
}

export interface NotReady {
  ok: false;
  outcome: 'refused' | 'user_error' | 'failed';
  reason: string;
  message: string;
  details: string[];
  command: string;
  target: string;
}

export type Prepared = Ready | NotReady;
export type Ran = { ok: true; answer: Answer } | NotReady;

const targetOf = (q: Query): string => [...q.args, ...(q.flags.namespace ? [`-n ${q.flags.namespace}`] : [])].join(' ');

/** Told of every audited question (metrics); bounded by the audit log's own fields. */
export type QuestionObserver = (q: { command: string; source: AuditSource; outcome: AuditOutcome; durationMs: number }) => void;

export function createPipeline(opts: { registry: CommandRegistry<Deps>; deps: Deps; policy: AccessPolicy; audit: AuditLog; onQuestion?: QuestionObserver }): Pipeline {
  const { registry, deps, policy, audit, onQuestion } = opts;

  function failure(err: unknown, asker: Asker, command: string, target: string): NotReady {
    const f = describeFailure(err);
    if (f.code === 'internal') asker.log.error({ err }, 'command failed');
    else if (f.code === 'backend_unavailable') asker.log.warn({ err: { message: f.message } }, 'backend unavailable');
    const outcome = f.code === 'internal' || f.code === 'backend_unavailable' ? 'failed' : 'user_error';
    return { ok: false, outcome, reason: f.code, message: f.message, details: f.details, command, target };
  }

  return {
    registry,

    prepare(asker, input) {
      let query: Query;
      try {
        query = 'tokens' in input ? parseTokens(input.tokens, input.text) : parseQuery(input.text);
      } catch (err) {
        return failure(err, asker, '(unparsed)', input.text.slice(0, 200));
      }
      if (query.command === '' && query.args.length === 0 && !query.flags.help) query = { ...query, command: 'help' };
      let command: NetpeekCommand;
      try {
        command = registry.resolve(query);
        // `pod shop/web-1` is `pod web-1 -n shop` before authorization looks at the namespace.
        query = normalizeTarget(command, query, registry);
        refuseTerminalOnlyFlags(query, 'slack');
      } catch (err) {
        return failure(err, asker, query.command || '(none)', targetOf(query));
      }
      // Alertmanager is authenticated by its own credentials, not as a Slack user: the user lists do not
      // apply to it; the channel, its namespace scope and the probe rules still do.
      const effective = asker.source === 'alertmanager' ? { ...policy, users: [], probeUsers: [] } : policy;
      const decision = decideAccess(effective, {
        user: asker.user,
        channel: asker.channel,
        isDm: asker.isDm,
        command,
        query,
      });
      if (!decision.allowed) {
        asker.log.info({ reason: decision.reason, command: command.name }, 'refused');
        return { ok: false, outcome: 'refused', reason: decision.reason, message: decision.message, details: decision.details, command: command.name, target: targetOf(query) };
      }
      const q = decision.query;
      return {
        ok: true,
        query: q,
        command,
        probe: decision.probe,
        ...(decision.namespaces ? { namespaces: decision.namespaces } : {}),
        commandLine: formatQuery({ ...q, command: command.name }),
        target: targetOf(q),
      };
    },

    async run(asker, ready, focus, rerunOf) {
      const scoped = forConversation(deps, { log: asker.log, ...(ready.namespaces ? { namespaces: ready.namespaces } : {}) });
      try {
        const rerun = rerunOf && ready.command.rerunLive ? ready.command.rerunLive.bind(ready.command) : undefined;
        const answered = rerun ? await rerun(ready.query, rerunOf!, scoped) : await answerQuery(ready.query, registry, scoped, ready.command);
        const answer = noteStaleCache(answered, scoped.kube);
        return { ok: true, answer: focusAnswer(answer, focus) };
      } catch (err) {
        return failure(err, asker, ready.command.name, ready.target);
      }
    },

    record(asker, what, outcome, reason) {
      const durationMs = Date.now() - asker.startedMs;
      onQuestion?.({ command: what.command, source: asker.source, outcome, durationMs });
      audit.record({
        requestId: asker.requestId,
        source: asker.source,
        user: asker.user,
        channel: asker.channel,
        command: what.command,
        target: what.target,
        outcome,
        ...(reason ? { reason } : {}),
        durationMs,
        at: new Date(asker.startedMs).toISOString(),
      });
    },
  };
}
