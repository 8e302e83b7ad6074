import type { App, RespondArguments, RespondFn, webApi } from '@slack/bolt';
import { describeFailure } from '../core/errors.js';
import { tokenRefusal, verifyButtonToken } from './button-token.js';
import { ACTION_ID_PATTERN, ACTION_IDS, actionTokens } from './buttons.js';
import { buttonsFor, type HandlerContext, isDmChannel, newAsker, send } from './context.js';
import { DeliveryError } from './delivery.js';
import { answerMessage, failureMessage, type OutgoingMessage } from './messages.js';
import { answerMetadata, subjectOf, type ThreadSubject } from './thread-subject.js';
import { safeError } from './safe-error.js';

/** The parts of a block_actions payload netpeek reads (Slack's documented field names). */
interface BlockActionsBody {
  type: 'block_actions';
  trigger_id?: string;
  user: { id: string };
  channel?: { id: string };
  container?: { type?: string; message_ts?: string; channel_id?: string; is_ephemeral?: boolean; thread_ts?: string };
  message?: { ts?: string; thread_ts?: string };
}

interface ButtonAction {
  type: string;
  action_id: string;
  value?: string;
  action_ts?: string;
}

/**
 * "Probe now" / "Show ports" / "Explain": the button value is verified (HMAC, expiry, channel) before
 * anything runs; the clicker is authorized like any asker; a click runs once (trigger_id / action_ts)
 * and replaces the message — chat.update for channel messages (keeping the thread metadata), respond()
 * for ephemeral slash-command answers.
 */
export function registerButtons(app: App, ctx: HandlerContext): void {
  app.action(ACTION_ID_PATTERN, async ({ ack, body, action, respond, client }) => {
    await ack();
    const b = body as unknown as BlockActionsBody;
    const a = action as unknown as ButtonAction;
    if (b.type !== 'block_actions' || a.type !== 'button') return;
    const channel = b.channel?.id ?? b.container?.channel_id ?? '';
    const asker = newAsker(ctx, 'button', b.user.id, channel, isDmChannel(channel));
    if (!ctx.dedupe.first(b.trigger_id ? `trigger:${b.trigger_id}` : undefined, a.action_ts ? `action:${b.user.id}:${a.action_ts}` : undefined)) {
      asker.log.info('duplicate button click dropped');
      return;
    }
    const tellClicker = (msg: OutgoingMessage) =>
      respond
        ? send(ctx, asker, 'respond(refusal)', () => respond({ response_type: 'ephemeral', replace_original: false, text: msg.text, blocks: msg.blocks } as RespondArguments))
        : send(ctx, asker, 'chat.postEphemeral', () => client.chat.postEphemeral({ channel, user: b.user.id, text: msg.text, blocks: msg.blocks as never }));

    let what = { command: a.action_id, target: '' };
    try {
      const check = verifyButtonToken(a.value ?? '', ctx.buttonKey, { channel });
      if (!check.ok || a.action_id !== ACTION_IDS[check.payload.c]) {
        const reason = check.ok ? 'forged' : check.reason;
        await tellClicker(failureMessage(tokenRefusal(reason), []));
        ctx.pipeline.record(asker, what, 'refused', `button_${reason}`);
        return;
      }
      const p = check.payload;
      const subject: ThreadSubject = { kind: p.k, name: p.n, ...(p.ns ? { namespace: p.ns } : {}) };
      let planned;
      try {
        planned = actionTokens(p.c, subject, ctx.registry);
      } catch (err) {
        const f = describeFailure(err);
        await tellClicker(failureMessage(f.message, f.details));
        ctx.pipeline.record(asker, { command: p.c, target: subject.name }, 'user_error', f.code);
        return;
      }
      const ready = ctx.pipeline.prepare(asker, { tokens: planned.tokens, text: planned.tokens.join(' ') });
      what = { command: ready.ok ? ready.command.name : ready.command, target: ready.target };
      if (!ready.ok) {
        await tellClicker(failureMessage(ready.message, ready.details));
        ctx.pipeline.record(asker, what, ready.outcome, ready.reason);
        return;
      }
      const ran = await ctx.pipeline.run(asker, ready, planned.focus);
      if (!ran.ok) {
        await tellClicker(failureMessage(ran.message, ran.details));
        ctx.pipeline.record(asker, what, ran.outcome, ran.reason);
        return;
      }
      const msg = answerMessage(ran.answer, { buttons: buttonsFor(ctx, ran.answer, channel) });
      await replaceMessage(ctx, asker, { body: b, channel, respond, client }, msg, answerMetadata(subjectOf(ran.answer) ?? subject));
      ctx.pipeline.record(asker, what, 'ok');
    } catch (err) {
      ctx.pipeline.record(asker, what, 'undelivered', err instanceof DeliveryError ? err.message.slice(0, 200) : 'internal');
      if (!(err instanceof DeliveryError)) asker.log.error({ err: safeError(err) }, 'button handler failed');
    }
  });
}

async function replaceMessage(
  ctx: HandlerContext,
  asker: Parameters<typeof send>[1],
  where: { body: BlockActionsBody; channel: string; respond?: RespondFn; client: webApi.WebClient },
  msg: OutgoingMessage,
  metadata: ReturnType<typeof answerMetadata>,
): Promise<void> {
  const ts = where.body.container?.message_ts ?? where.body.message?.ts;
  const ephemeral = where.body.container?.is_ephemeral === true;
  if (!ephemeral && ts) {
    await send(ctx, asker, 'chat.update', () => where.client.chat.update({ channel: where.channel, ts, text: msg.text, blocks: msg.blocks as never, metadata }));
    return;
  }
  const respond = where.respond;
  if (!respond) throw new Error('an ephemeral message without a response_url cannot be updated');
  await send(ctx, asker, 'respond(replace)', () => respond({ replace_original: true, text: msg.text, blocks: msg.blocks } as RespondArguments));
}
