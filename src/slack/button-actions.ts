import type { App, RespondArguments, RespondFn, webApi } from '@slack/bolt';
import { describeFailure } from '../core/errors.js';
import { formatQuery } from '../core/query.js';
import { tokenRefusal, verifyButtonToken } from './button-token.js';
import { ACTION_ID_PATTERN, ACTION_IDS, actionTokens } from './buttons.js';
import { answerQuestion, type Question, type SurfaceReply } from './answer-flow.js';
import { type HandlerContext, isDmChannel, newAsker, requestIdOf, send } from './context.js';
import type { OutgoingMessage } from './messages.js';
import { type AnswerMetadata, answerMetadata, subjectOf, type ThreadSubject } from './thread-subject.js';

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
  app.action(ACTION_ID_PATTERN, async ({ ack, body, action, respond, client, context }) => {
    await ack();
    const b = body as unknown as BlockActionsBody;
    const a = action as unknown as ButtonAction;
    if (b.type !== 'block_actions' || a.type !== 'button') return;
    const channel = b.channel?.id ?? b.container?.channel_id ?? '';
    const asker = newAsker(ctx, requestIdOf(context), 'button', b.user.id, channel, isDmChannel(channel));
    if (!(await ctx.dedupe.first(b.trigger_id ? `trigger:${b.trigger_id}` : undefined, a.action_ts ? `action:${b.user.id}:${a.action_ts}` : undefined))) {
      asker.log.info('duplicate button click dropped');
      return;
    }
    const { question, subject } = await readButton(ctx, a, channel);
    const reply: SurfaceReply = {
      // The clicked message stays as it is until the answer replaces it.
      probing: async () => undefined,
      failure: (msg) =>
        respond
          ? send(ctx, asker, 'respond(refusal)', () => respond({ response_type: 'ephemeral', replace_original: false, text: msg.text, blocks: msg.blocks } as RespondArguments)).then(() => undefined)
          : send(ctx, asker, 'chat.postEphemeral', () => client.chat.postEphemeral({ channel, user: b.user.id, text: msg.text, blocks: msg.blocks })).then(() => undefined),
      answer: (msg, answer) => replaceMessage(ctx, asker, { body: b, channel, respond, client }, msg, answerMetadata(subjectOf(answer) ?? subject)),
    };
    await answerQuestion(ctx, asker, question, reply);
  });
}

const RERUN_GONE =
  'netpeek no longer holds the answer under this button (it expired, or was kept only by a replica that is gone), so there is nothing to probe again; ask the question again.';

/** The verified button → the question it asks (and about what), or why it is refused. */
async function readButton(ctx: HandlerContext, a: ButtonAction, channel: string): Promise<{ question: Question; subject?: ThreadSubject }> {
  const check = verifyButtonToken(a.value ?? '', ctx.buttonKey, { channel });
  if (!check.ok || a.action_id !== ACTION_IDS[check.payload.c]) {
    const reason = check.ok ? 'forged' : check.reason;
    return { question: { refused: { message: tokenRefusal(reason), details: [], command: a.action_id, target: '', outcome: 'refused', reason: `button_${reason}` } } };
  }
  const p = check.payload;
  const subject: ThreadSubject = { kind: p.k, name: p.n, ...(p.ns ? { namespace: p.ns } : {}) };
  if (p.c === 'reprobe') {
    const held = p.r ? await ctx.reruns.get(p.r) : undefined;
    if (!held) {
      return {
        question: { refused: { message: RERUN_GONE, details: [], command: 'reprobe', target: subject.name, outcome: 'refused', reason: 'button_rerun_gone' } },
        subject,
      };
    }
    // The question as it was authorized, authorized again (the clicker may not be the asker), with its live steps only.
    const text = formatQuery(held.query);
    return { question: { input: { text }, rerunOf: held.answer }, subject };
  }
  try {
    const planned = actionTokens(p.c, subject, ctx.registry);
    return { question: { input: { tokens: planned.tokens, text: planned.tokens.join(' ') }, focus: planned.focus }, subject };
  } catch (err) {
    const f = describeFailure(err);
    return { question: { refused: { message: f.message, details: f.details, command: p.c, target: subject.name, outcome: 'user_error', reason: f.code } }, subject };
  }
}

async function replaceMessage(
  ctx: HandlerContext,
  asker: Parameters<typeof send>[1],
  where: { body: BlockActionsBody; channel: string; respond?: RespondFn; client: webApi.WebClient },
  msg: OutgoingMessage,
  metadata: AnswerMetadata,
): Promise<void> {
  const ts = where.body.container?.message_ts ?? where.body.message?.ts;
  const ephemeral = where.body.container?.is_ephemeral === true;
  if (!ephemeral && ts) {
    await send(ctx, asker, 'chat.update', () => where.client.chat.update({ channel: where.channel, ts, text: msg.text, blocks: msg.blocks, metadata }));
    return;
  }
  const respond = where.respond;
  if (!respond) throw new Error('an ephemeral message without a response_url cannot be updated');
  await send(ctx, asker, 'respond(replace)', () => respond({ replace_original: true, text: msg.text, blocks: msg.blocks } as RespondArguments));
}
