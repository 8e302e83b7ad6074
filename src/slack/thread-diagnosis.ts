import type { webApi } from '@slack/bolt';
import type { SubjectKind } from '../core/kinds.js';
import type { AlertSubject } from '../net/alert-subjects.js';
import { answerQuestion, type SurfaceReply } from './answer-flow.js';
import { type HandlerContext, send } from './context.js';
import { slackErrorCode } from './delivery.js';
import type { OutgoingMessage } from './messages.js';
import type { Asker } from './pipeline.js';
import { answerMetadata, subjectOf } from './thread-subject.js';

/**
 * The diagnosis of subjects read from a message or an alert, posted as replies in one thread through the
 * shared answer flow (same parsing, authorization, audit and renderers as a typed question). Used by the
 * Alertmanager receiver and the "Diagnose with netpeek" shortcut.
 */

export interface DiagnosisThread {
  channel: string;
  threadTs: string;
  /** Failures go to this user only (ephemeral); unset, they are posted in the thread (no user to tell). */
  privateTo?: string;
  /**
   * Slack refused a post because netpeek is not a member of the channel (`not_in_channel`; a private
   * channel it was never added to answers `channel_not_found`): called once, and the remaining subjects
   * are not tried (they would be refused the same way). Unset, the refusal is only logged and audited.
   */
  notInChannel?: (code: string) => Promise<void>;
}

/** Slack's answers to a post in a conversation netpeek is not in. */
export const NOT_A_MEMBER: ReadonlySet<string> = new Set(['not_in_channel', 'channel_not_found']);

/**
 * The question netpeek asks about a subject: for a Service, the command that diagnoses one (`why
 * svc/<name>`: the first broken step from selector to endpoints) when the registry has it; else the
 * registry's lookup for the subject's kind, scoped to its namespace.
 */
export function questionFor(ctx: Pick<HandlerContext, 'registry'>, s: AlertSubject): string[] | undefined {
  const diagnosis = s.kind === 'service' ? ctx.registry.list().find((c) => c.subject.role === 'about' && c.subject.kind === 'service') : undefined;
  const namespace = 'namespace' in s ? s.namespace : undefined;
  // Without probes: a diagnosis nobody typed (an alert, a shortcut) sends no packets, and so passes the
  // probe allow-lists of any channel; the answer's own buttons probe when someone asks.
  if (diagnosis) return [diagnosis.name, `svc/${s.name}`, ...(namespace && diagnosis.flags.includes('namespace') ? ['-n', namespace] : []), ...(diagnosis.flags.includes('noProbe') ? ['--no-probe'] : [])];
  const command = ctx.registry.lookupFor(s.kind as SubjectKind);
  if (!command) return undefined;
  const ns = 'namespace' in s && s.namespace && command.flags.includes('namespace') ? ['-n', s.namespace] : [];
  return [command.name, s.name, ...ns];
}

/**
 * The subjects netpeek can answer about, in order, at most `max`. Bare addresses (`ip <address>`: what
 * holds it) come after the named objects: an alert's address is often one of theirs.
 */
export function answerable(ctx: Pick<HandlerContext, 'registry'>, subjects: readonly AlertSubject[], max: number): { subject: AlertSubject; tokens: string[] }[] {
  const ordered = [...subjects.filter((s) => s.kind !== 'ip'), ...subjects.filter((s) => s.kind === 'ip')];
  return ordered.flatMap((subject) => {
    const tokens = questionFor(ctx, subject);
    return tokens ? [{ subject, tokens }] : [];
  }).slice(0, max);
}

export async function diagnoseInThread(ctx: HandlerContext, client: webApi.WebClient, asker: Asker, where: DiagnosisThread, questions: readonly { tokens: string[] }[]): Promise<void> {
  let refused: string | undefined;
  for (const q of questions) {
    let probingTs: string | undefined;
    // Any post in the channel (answer, failure, ephemeral) may be the one that finds netpeek is not there.
    const inChannel = <T>(label: string, fn: () => Promise<T>) =>
      send(ctx, asker, label, fn).catch((err: unknown) => {
        const code = slackErrorCode(err);
        if (code && NOT_A_MEMBER.has(code)) refused ??= code;
        throw err;
      });
    const post = (label: string, msg: OutgoingMessage, metadata?: ReturnType<typeof answerMetadata>) =>
      inChannel(label, () => client.chat.postMessage({ channel: where.channel, thread_ts: where.threadTs, text: msg.text, blocks: msg.blocks, unfurl_links: false, ...(metadata ? { metadata } : {}) }));
    const update = (label: string, msg: OutgoingMessage, metadata?: ReturnType<typeof answerMetadata>) =>
      send(ctx, asker, label, () => client.chat.update({ channel: where.channel, ts: probingTs as string, text: msg.text, blocks: msg.blocks, ...(metadata ? { metadata } : {}) }));
    const reply: SurfaceReply = {
      async probing(msg) {
        probingTs = (await post('chat.postMessage(probing)', msg))?.ts;
      },
      async answer(msg, answer) {
        // The subject in the metadata makes "@netpeek ping it" in this thread work on any replica.
        const metadata = answerMetadata(subjectOf(answer));
        if (probingTs) await update('chat.update(answer)', msg, metadata);
        else await post('chat.postMessage(answer)', msg, metadata);
        const subject = subjectOf(answer);
        if (subject) ctx.memory.remember({ channel: where.channel, threadTs: where.threadTs }, subject);
      },
      async failure(msg) {
        if (probingTs) await update('chat.update(failure)', msg);
        else if (where.privateTo) {
          const user = where.privateTo;
          await inChannel('chat.postEphemeral', () => client.chat.postEphemeral({ channel: where.channel, user, thread_ts: where.threadTs, text: msg.text, blocks: msg.blocks }));
        } else await post('chat.postMessage(failure)', msg);
      },
      async picture(png, graph) {
        await send(ctx, asker, 'files.uploadV2', () => client.files.uploadV2({ file: png, filename: `${graph.name}.png`, title: graph.name, channel_id: where.channel, thread_ts: where.threadTs }));
      },
    };
    await answerQuestion(ctx, asker, { input: { tokens: q.tokens, text: q.tokens.join(' ') } }, reply);
    if (refused) {
      asker.log.warn({ channel: where.channel, slackError: refused }, 'netpeek is not in the channel; the diagnosis was not posted');
      await where.notInChannel?.(refused);
      return;
    }
  }
}
