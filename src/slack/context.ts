import { randomUUID } from 'node:crypto';
import type { AnyMiddlewareArgs, Context, Middleware } from '@slack/bolt';
import type { Answer } from '../core/answer.js';
import { openRequest } from '../http/requests-in-flight.js';
import type { CommandRegistry } from '../core/registry.js';
import type { Deps } from '../deps.js';
import type { Logger } from '../log.js';
import type { AnswerTurns } from './answer-turns.js';
import type { AuditSource } from '../store/audit-log.js';
import { answerButtons, rerunsLive, type ActionsBlock } from './buttons.js';
import type { EventGate } from './event-gate.js';
import { deliver } from './delivery.js';
import type { Asker, Pipeline } from './pipeline.js';
import type { SlackConfig } from './slack-config.js';
import type { ThreadMemory } from './thread-subject.js';
import type { RerunStore } from './rerun-store.js';
import type { Query } from '../core/query.js';

/** What every listener shares; built once by createSlackBot. */
export interface HandlerContext {
  pipeline: Pipeline;
  registry: CommandRegistry<Deps>;
  /** Answer each delivery once: in-process, and across replicas when the store is shared. */
  dedupe: EventGate;
  /** Answers take turns with acks (answer-turns.ts). */
  turns: AnswerTurns;
  memory: ThreadMemory;
  slackConfig: SlackConfig;
  buttonKey: Buffer;
  /** Answers under a "Probe again" button, by the id the button carries. */
  reruns: RerunStore;
  log: Logger;
}

/**
 * Bolt global middleware: every event's context carries a request id — the edge guard's over HTTP (the
 * receiver's customPropertiesExtractor puts it there), a fresh one otherwise (Socket Mode) — and the
 * request counts as in flight (requests-in-flight.ts) until its listeners are done. Events are acked
 * before Bolt's middleware and netpeek's slash command before Bolt (edge-guard.ts); a button or a
 * shortcut pays one Map entry before its listener acks.
 */
export const requestScope: Middleware<AnyMiddlewareArgs> = async ({ context, next }) => {
  const requestId = requestIdOf(context);
  context.requestId = requestId;
  const done = openRequest(requestId);
  try {
    await next();
  } finally {
    done();
  }
};

/** The request id in a listener's context (requestScope), so the edge guard's log lines and the asker's correlate. */
export function requestIdOf(context: Context): string {
  return typeof context.requestId === 'string' ? context.requestId : randomUUID();
}

export function newAsker(ctx: HandlerContext, requestId: string, source: AuditSource, user: string, channel: string, isDm: boolean): Asker {
  return { requestId, source, user, channel, isDm, startedMs: Date.now(), log: ctx.log.child({ requestId, source, user, channel }) };
}

/** Posts with retries (delivery.ts) under the request's logger. */
export function send<T>(ctx: HandlerContext, asker: Asker, what: string, fn: () => Promise<T>): Promise<T> {
  return deliver(what, fn, ctx.slackConfig.retry, asker.log);
}

/** The buttons under an answer to `query`; one that can be probed again is held for its "Probe again" button. */
export async function buttonsFor(ctx: HandlerContext, answer: Answer, channel: string, query?: Query): Promise<ActionsBlock | undefined> {
  const rerunId = query && rerunsLive(answer, ctx.registry) ? await ctx.reruns.hold({ query, answer }) : undefined;
  return answerButtons(answer, { channel, key: ctx.buttonKey, ttlSeconds: ctx.slackConfig.buttons.ttlSeconds, registry: ctx.registry, ...(rerunId ? { rerunId } : {}) });
}

/** A DM channel ID starts with D. */
export const isDmChannel = (channel: string): boolean => channel.startsWith('D');
