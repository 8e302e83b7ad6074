import type { App, MessageShortcut, RespondArguments } from '@slack/bolt';
import { describeSubject, LOOKED_FOR, subjectsFromMessage } from '../net/alert-subjects.js';
import { contextBlock, escapeMrkdwn, sectionBlock } from '../render/blocks.js';
import { type HandlerContext, isDmChannel, newAsker, requestIdOf, send } from './context.js';
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
  const text = 'netpeek found nothing in this message it can diagnose (no pod, Service, node or IP address).';
  return {
    text,
    blocks: [sectionBlock(text), sectionBlock(`It looked for:\n${LOOKED_FOR.map((l) => `• ${escapeMrkdwn(l)}`).join('\n')}`), contextBlock('Or ask directly: `/netpeek pod <name> -n <namespace>`, `/netpeek why svc/<name> -n <namespace>`.')],
  };
}

/**
 * Said to the asker when Slack refuses netpeek's posts in the channel: it is not a member there (a public
 * channel: not_in_channel; a private one: channel_not_found). Ephemeral through the shortcut's
 * response_url (which needs no membership), else in a DM.
 */
export function notInChannelMessage(channel: string, code: string): OutgoingMessage {
  const text = `netpeek could not answer in <#${channel}>: it is not a member of that channel, so Slack refuses its posts there.`;
  return {
    text,
    blocks: [
      sectionBlock(text),
      sectionBlock('To fix it, add netpeek to the channel: type `/invite @netpeek` there (or use the channel\'s *Integrations → Add apps*), then use *Diagnose with netpeek* on the message again.'),
      contextBlock(`Slack said \`${escapeMrkdwn(code)}\`. Nothing was posted in the channel.`),
    ],
  };
}

export function registerMessageShortcut(app: App, ctx: HandlerContext): void {
  app.shortcut<MessageShortcut>({ callback_id: SHORTCUT_CALLBACK_ID, type: 'message_action' }, async ({ ack, shortcut, respond, client, context }) => {
    await ack();
    const s = shortcut;
    const channel = s.channel.id;
    const asker = newAsker(ctx, requestIdOf(context), 'shortcut', s.user.id, channel, isDmChannel(channel));
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
    const notInChannel = async (code: string) => {
      const msg = notInChannelMessage(channel, code);
      const what = { command: '(shortcut)', target: (message.text ?? '').slice(0, 200) };
      try {
        await privately('respond(not in channel)', msg);
        ctx.pipeline.record(asker, what, 'undelivered', `${code}: told the user (ephemeral)`);
        return;
      } catch {
        // The response_url is gone too (expired, or the workspace refuses it): a DM is the last way to say it.
      }
      try {
        await send(ctx, asker, 'chat.postMessage(DM: not in channel)', () => client.chat.postMessage({ channel: s.user.id, text: msg.text, blocks: msg.blocks, unfurl_links: false }));
        ctx.pipeline.record(asker, what, 'undelivered', `${code}: told the user (DM)`);
      } catch {
        ctx.pipeline.record(asker, what, 'undelivered', `${code}: the user could not be told`);
      }
    };
    await diagnoseInThread(ctx, client, asker, { channel, threadTs, privateTo: s.user.id, notInChannel }, questions);
  });
}
