import type { App, MessageShortcut, RespondArguments } from '@slack/bolt';
import { describeSubject, LOOKED_FOR, subjectsFromMessage } from '../net/alert-subjects.js';
import { contextBlock, escapeMrkdwn, sectionBlock } from '../render/blocks.js';
import { type HandlerContext, isDmChannel, newAsker, send } from './context.js';
import type { OutgoingMessage } from './messages.js';
import { answerable, diagnoseInThread } from './thread-diagnosis.js';

/**
 * "Diagnose with netpeek", a message shortcut (manifest: features.shortcuts, type message): netpeek reads
 * the subjects the message names (src/net/alert-subjects.ts: text, attachments, blocks, alert label
 * sets) and answers about each in that message's thread through the shared answer flow, so the asker's
 * authorization and the audit are those of a typed question. Refusals and "nothing recognisable" are
 * ephemeral, to the asker only.
 */

export const SHORTCUT_CALLBACK_ID = 'diagnose_with_netpeek';
/** Subjects answered per use; a long alert digest lists more, and each answer is a thread reply. */
export const SHORTCUT_MAX_SUBJECTS = 5;

export function nothingFoundMessage(): OutgoingMessage {
  const text = 'netpeek found nothing in this message it can diagnose (no pod, Service or node).';
  return {
    text,
    blocks: [sectionBlock(text), sectionBlock(`It looked for:\n${LOOKED_FOR.map((l) => `• ${escapeMrkdwn(l)}`).join('\n')}`), contextBlock('Or ask directly: `/netpeek pod <name> -n <namespace>`, `/netpeek why svc/<name> -n <namespace>`.')],
  };
}

export function registerMessageShortcut(app: App, ctx: HandlerContext): void {
  app.shortcut<MessageShortcut>({ callback_id: SHORTCUT_CALLBACK_ID, type: 'message_action' }, async ({ ack, shortcut, respond, client }) => {
    await ack();
    const s = shortcut;
    const channel = s.channel.id;
    const asker = newAsker(ctx, 'shortcut', s.user.id, channel, isDmChannel(channel));
    if (!(await ctx.dedupe.first(`trigger:${s.trigger_id}`, `shortcut:${s.user.id}:${s.action_ts}`))) {
      asker.log.info('duplicate shortcut delivery dropped');
      return;
    }
    const message = s.message as { text?: string; attachments?: unknown[]; blocks?: unknown[]; ts: string; thread_ts?: string };
    const subjects = subjectsFromMessage(message);
    const questions = answerable(ctx, subjects, SHORTCUT_MAX_SUBJECTS);
    const privately = (label: string, msg: OutgoingMessage) =>
      send(ctx, asker, label, () => respond({ response_type: 'ephemeral', replace_original: false, text: msg.text, blocks: msg.blocks } as RespondArguments));
    if (questions.length === 0) {
      const found = subjects.map((x) => describeSubject(x));
      const msg = nothingFoundMessage();
      if (found.length) msg.blocks.splice(1, 0, contextBlock(`It found ${escapeMrkdwn(found.join(', '))}, which netpeek has no answer for on its own.`));
      try {
        await privately('respond(nothing found)', msg);
        ctx.pipeline.record(asker, { command: '(shortcut)', target: (message.text ?? '').slice(0, 200) }, 'user_error', 'no_subject');
      } catch {
        ctx.pipeline.record(asker, { command: '(shortcut)', target: (message.text ?? '').slice(0, 200) }, 'undelivered', 'no_subject');
      }
      return;
    }
    // Into the thread the message is in, or the one it starts.
    const threadTs = message.thread_ts ?? s.message_ts ?? message.ts;
    await diagnoseInThread(ctx, client, asker, { channel, threadTs, privateTo: s.user.id }, questions);
  });
}
