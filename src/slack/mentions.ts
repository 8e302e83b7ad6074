import type { App, webApi } from '@slack/bolt';
import { answerQuestion, type Question, type SurfaceReply } from './answer-flow.js';
import { type HandlerContext, newAsker, requestIdOf, send } from './context.js';
import { readMention, type MentionReading } from './lenient-question.js';
import type { OutgoingMessage } from './messages.js';
import { type AnswerMetadata, answerMetadata, type Conversation, subjectOf, type ThreadSubject } from './thread-subject.js';

/** A message addressed to netpeek: an @mention in a channel or thread, or a DM. */
interface Incoming {
  source: 'mention' | 'dm';
  user: string;
  channel: string;
  ts: string;
  /** Set when the message is inside a thread. */
  threadTs?: string;
  text: string;
  eventId?: string;
  retryNum?: number;
  requestId: string;
}

type Client = webApi.WebClient;

/**
 * @mentions answer in a thread under the mention (or in the thread they were made in); DMs answer in the
 * DM (in its thread when there is one). Replies carry message metadata naming their subject, so that
 * "ping it" works on any replica. Refusals and mistakes go only to the asker (ephemeral) in channels.
 */
export function registerMentions(app: App, ctx: HandlerContext): void {
  app.event('app_mention', async ({ event, body, client, context }) => {
    if (!event.user) return;
    await handleIncoming(ctx, client, {
      source: 'mention',
      user: event.user,
      channel: event.channel,
      ts: event.ts,
      threadTs: event.thread_ts,
      text: event.text,
      eventId: body.event_id,
      retryNum: context.retryNum,
      requestId: requestIdOf(context),
    });
  });

  app.event('message', async ({ event, body, client, context }) => {
    // Only what a person typed in a DM with the bot: no edits, joins, bot messages or channel chatter.
    if (event.channel_type !== 'im' || event.subtype !== undefined || !('user' in event) || !event.user || 'bot_id' in event && event.bot_id) return;
    await handleIncoming(ctx, client, {
      source: 'dm',
      user: event.user,
      channel: event.channel,
      ts: event.ts,
      threadTs: 'thread_ts' in event ? event.thread_ts : undefined,
      text: event.text ?? '',
      eventId: body.event_id,
      retryNum: context.retryNum,
      requestId: requestIdOf(context),
    });
  });
}

async function handleIncoming(ctx: HandlerContext, client: Client, m: Incoming): Promise<void> {
  const isDm = m.source === 'dm';
  // Slack retries and duplicate deliveries carry the same event_id; the same message seen as both an
  // app_mention and a message event has the same channel + ts.
  if (!(await ctx.dedupe.first(m.eventId ? `event:${m.eventId}` : undefined, `msg:${m.channel}:${m.ts}`))) {
    ctx.log.info({ eventId: m.eventId, retryNum: m.retryNum }, 'duplicate event delivery dropped');
    return;
  }
  const asker = newAsker(ctx, m.requestId, m.source, m.user, m.channel, isDm);
  // Where the answer goes, and whose subject "it" is.
  const replyThreadTs = isDm ? m.threadTs : (m.threadTs ?? m.ts);
  const conv: Conversation = replyThreadTs ? { channel: m.channel, threadTs: replyThreadTs } : { channel: m.channel };
  if (m.retryNum && m.eventId && (await ctx.memory.answered(client, conv, m.eventId))) {
    asker.log.info({ eventId: m.eventId }, 'retry already answered by another replica');
    return;
  }
  const reading = await read(ctx, client, m, conv);
  const post = (label: string, msg: OutgoingMessage, metadata?: AnswerMetadata) =>
    send(ctx, asker, label, () => client.chat.postMessage({ channel: m.channel, thread_ts: replyThreadTs, text: msg.text, blocks: msg.blocks, ...(metadata ? { metadata } : {}) }));
  let probingTs: string | undefined;
  const update = (label: string, msg: OutgoingMessage, metadata?: AnswerMetadata) =>
    send(ctx, asker, label, () => client.chat.update({ channel: m.channel, ts: probingTs as string, text: msg.text, blocks: msg.blocks, ...(metadata ? { metadata } : {}) }));
  const reply: SurfaceReply = {
    async probing(msg) {
      // Carries the event id already, so a retry on another replica sees this event is being answered.
      probingTs = (await post('chat.postMessage(probing)', msg, answerMetadata(undefined, m.eventId)))?.ts;
    },
    async failure(msg) {
      if (probingTs) await update('chat.update(failure)', msg);
      // Mistakes and refusals are for the asker only (DMs are private anyway).
      else if (isDm) await post('chat.postMessage(failure)', msg);
      else await send(ctx, asker, 'chat.postEphemeral', () => client.chat.postEphemeral({ channel: m.channel, user: m.user, thread_ts: replyThreadTs, text: msg.text, blocks: msg.blocks }));
    },
    async picture(png, graph) {
      const file = { file: png, filename: `${graph.name}.png`, title: graph.name, alt_text: `Graph of ${graph.edges.length} allowed connections between ${graph.nodes.length} workloads` };
      await send(ctx, asker, 'files.uploadV2', () =>
        replyThreadTs ? client.files.uploadV2({ ...file, channel_id: m.channel, thread_ts: replyThreadTs }) : client.files.uploadV2({ ...file, channel_id: m.channel }),
      );
    },
    async answer(msg, answer) {
      const subject = subjectOf(answer);
      const metadata = answerMetadata(subject, m.eventId);
      if (probingTs) await update('chat.update(answer)', msg, metadata);
      else await post('chat.postMessage(answer)', msg, metadata);
      if (subject) ctx.memory.remember(conv, subject);
    },
  };
  const question: Question =
    reading.kind === 'needs-subject'
      ? {
          refused: {
            message: `Which pod or container do you mean? netpeek has not answered about anything in this ${isDm && !m.threadTs ? 'conversation' : 'thread'} yet.`,
            details: ['Name it, e.g. `ping webserver-2 --port 8080` or `what is the IP of webserver-1`.'],
            command: '(pronoun)',
            target: reading.text.slice(0, 200),
            outcome: 'user_error',
            reason: 'no_subject',
          },
        }
      : reading.kind === 'command'
        ? { input: { tokens: reading.tokens, text: reading.text }, focus: reading.focus, readAs: reading.lenient }
        : { input: { text: reading.text } };
  await answerQuestion(ctx, asker, question, reply);
}

/**
 * Reads the question. The thread's subject is fetched only when it matters: a pronoun ("ping it"), or a
 * plain question whose lookup kind depends on what the thread is about.
 */
async function read(ctx: HandlerContext, client: Client, m: Incoming, conv: Conversation): Promise<MentionReading> {
  const commands = ctx.registry;
  const first = readMention(m.text, { commands });
  const inConversation = Boolean(m.threadTs) || m.source === 'dm';
  const needsSubject = first.kind === 'needs-subject' || (first.kind === 'command' && first.lenient);
  if (!inConversation || !needsSubject) return first;
  const subject: ThreadSubject | undefined = await ctx.memory.recall(client, conv);
  return subject ? readMention(m.text, { commands, subject }) : first;
}

