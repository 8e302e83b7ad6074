import type { App, RespondArguments } from '@slack/bolt';
import { answerQuestion, type SurfaceReply } from './answer-flow.js';
import { type HandlerContext, isDmChannel, newAsker, requestIdOf, send } from './context.js';
import type { OutgoingMessage } from './messages.js';

// Our blocks are plain Block Kit JSON; Bolt's types are wider unions of the same shapes.
const asRespond = (m: OutgoingMessage, extra: { response_type?: 'ephemeral' | 'in_channel'; replace_original?: boolean }): RespondArguments =>
  ({ ...extra, text: m.text, blocks: m.blocks }) as RespondArguments;

/**
 * `/netpeek …`: ack at once (no I/O before it), then the answer through respond() — ephemeral unless
 * --public. Probes first get a short "probing …" reply that the answer replaces. Failures are ephemeral.
 */
export function registerSlashCommand(app: App, ctx: HandlerContext): void {
  app.command(ctx.slackConfig.command, async ({ command, ack, respond, client, context }) => {
    await ack();
    await ctx.turns.take();
    const asker = newAsker(ctx, requestIdOf(context), 'slash', command.user_id, command.channel_id, isDmChannel(command.channel_id));
    if (!(await ctx.dedupe.first(`slash:${command.trigger_id}`))) {
      asker.log.info('duplicate slash command dropped');
      return;
    }
    const reply = (what: string, args: RespondArguments) => send(ctx, asker, what, () => respond(args)).then(() => undefined);
    const surface: SurfaceReply = {
      probing: (msg) => reply('respond(probing)', asRespond(msg, { response_type: 'ephemeral' })),
      failure: (msg, ready) => reply('respond(failure)', asRespond(msg, { response_type: 'ephemeral', ...(ready ? { replace_original: ready.probe } : {}) })),
      async picture(png, graph, ready) {
        // A slash command has no thread, and its answer is private unless --public: the picture goes to the channel only then.
        if (ready.query.flags.public !== true) return;
        await send(ctx, asker, 'files.uploadV2', () =>
          client.files.uploadV2({ channel_id: command.channel_id, file: png, filename: `${graph.name}.png`, title: graph.name, alt_text: `Graph of ${graph.edges.length} allowed connections between ${graph.nodes.length} workloads` }),
        );
      },
      async answer(msg, _answer, ready) {
        const isPublic = ready.query.flags.public === true;
        if (ready.probe && isPublic) {
          // An ephemeral reply cannot become a channel message: remove it, then post in the channel.
          await reply('respond(delete probing)', { delete_original: true }).catch(() => undefined);
          await reply('respond(answer)', asRespond(msg, { response_type: 'in_channel' }));
        } else {
          await reply('respond(answer)', asRespond(msg, { response_type: isPublic ? 'in_channel' : 'ephemeral', replace_original: ready.probe }));
        }
      },
    };
    await answerQuestion(ctx, asker, { input: { text: command.text ?? '' } }, surface);
  });
}
