import type { App, RespondArguments } from '@slack/bolt';
import { DeliveryError } from './delivery.js';
import { buttonsFor, type HandlerContext, isDmChannel, newAsker, send } from './context.js';
import { answerMessage, failureMessage, type OutgoingMessage, probingMessage } from './messages.js';
import { safeError } from './safe-error.js';

// Our blocks are plain Block Kit JSON; Bolt's types are wider unions of the same shapes.
const asRespond = (m: OutgoingMessage, extra: { response_type?: 'ephemeral' | 'in_channel'; replace_original?: boolean }): RespondArguments =>
  ({ ...extra, text: m.text, blocks: m.blocks }) as RespondArguments;

let turns: Promise<void> = Promise.resolve();

/**
 * Waits for this command's turn to be answered: one answer starts per event-loop iteration, so acks of
 * commands that arrive in a burst are sent between answers instead of queueing behind all of them
 * (Slack gives an ack 3 s; answers have 30 minutes).
 */
function answerTurn(): Promise<void> {
  const turn = turns.then(() => new Promise<void>((resolve) => setImmediate(resolve)));
  turns = turn;
  return turn;
}

/**
 * `/netpeek …`: ack at once (no I/O before it), then the answer through respond() — ephemeral unless
 * --public. Probes first get a short "probing …" reply that the answer replaces. Failures are ephemeral.
 */
export function registerSlashCommand(app: App, ctx: HandlerContext): void {
  app.command(ctx.slackConfig.command, async ({ command, ack, respond }) => {
    await ack();
    await answerTurn();
    const asker = newAsker(ctx, 'slash', command.user_id, command.channel_id, isDmChannel(command.channel_id));
    if (!ctx.dedupe.first(`slash:${command.trigger_id}`)) {
      asker.log.info('duplicate slash command dropped');
      return;
    }
    const ready = ctx.pipeline.prepare(asker, { text: command.text ?? '' });
    const reply = (what: string, args: RespondArguments) => send(ctx, asker, what, () => respond(args));
    try {
      if (!ready.ok) {
        await reply('respond(failure)', asRespond(failureMessage(ready.message, ready.details), { response_type: 'ephemeral' }));
        ctx.pipeline.record(asker, ready, ready.outcome, ready.reason);
        return;
      }
      const isPublic = ready.query.flags.public === true;
      if (ready.probe) {
        await reply('respond(probing)', asRespond(probingMessage(ready.commandLine), { response_type: 'ephemeral' })).catch((err: unknown) => {
          // The answer still comes; it just cannot replace anything.
          asker.log.warn({ err: safeError(err) }, 'could not post the "probing" reply');
        });
      }
      const ran = await ctx.pipeline.run(asker, ready);
      if (!ran.ok) {
        await reply('respond(failure)', asRespond(failureMessage(ran.message, ran.details), { response_type: 'ephemeral', replace_original: ready.probe }));
        ctx.pipeline.record(asker, ran, ran.outcome, ran.reason);
        return;
      }
      const message = answerMessage(ran.answer, { buttons: buttonsFor(ctx, ran.answer, command.channel_id) });
      if (ready.probe && isPublic) {
        // An ephemeral reply cannot become a channel message: remove it, then post in the channel.
        await reply('respond(delete probing)', { delete_original: true }).catch(() => undefined);
        await reply('respond(answer)', asRespond(message, { response_type: 'in_channel' }));
      } else {
        await reply('respond(answer)', asRespond(message, { response_type: isPublic ? 'in_channel' : 'ephemeral', replace_original: ready.probe }));
      }
      ctx.pipeline.record(asker, { command: ready.command.name, target: ready.target }, 'ok');
    } catch (err) {
      const what = ready.ok ? { command: ready.command.name, target: ready.target } : ready;
      ctx.pipeline.record(asker, what, 'undelivered', err instanceof DeliveryError ? err.message.slice(0, 200) : 'internal');
      if (!(err instanceof DeliveryError)) asker.log.error({ err: safeError(err) }, 'slash command handler failed');
    }
  });
}
