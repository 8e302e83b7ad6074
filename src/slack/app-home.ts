import type { App, webApi } from '@slack/bolt';
import { HOME_RUN_REPORT_ACTION, homeView, type HomeSection } from '../render/home-view.js';
import { answerQuestion, type SurfaceReply } from './answer-flow.js';
import { type HandlerContext, newAsker, requestIdOf, send } from './context.js';
import type { OutgoingMessage } from './messages.js';
import type { Asker } from './pipeline.js';

/** The parts of a block_actions payload from a Home view that netpeek reads. */
interface HomeActionBody {
  type: 'block_actions';
  trigger_id?: string;
  user: { id: string };
  view?: { type?: string; private_metadata?: string };
}

/**
 * The App Home tab: `status` and the report listing, asked as the viewer (same authorization and audit
 * as `/netpeek status` and `/netpeek report` in a DM), published with views.publish when the tab is
 * opened. "Run now" runs `report <name>` the same way and answers in the viewer's DM with the app, then
 * refreshes the tab so the last verdict shows.
 */
export function registerAppHome(app: App, ctx: HandlerContext): void {
  app.event('app_home_opened', async ({ event, client, context }) => {
    if (event.tab !== 'home') return;
    await publishHome(ctx, client, requestIdOf(context), event.user, event.channel);
  });

  app.action(HOME_RUN_REPORT_ACTION, async ({ ack, body, action, client, context }) => {
    await ack();
    const b = body as unknown as HomeActionBody;
    const a = action as unknown as { type: string; value?: string; action_ts?: string };
    if (b.type !== 'block_actions' || a.type !== 'button') return;
    const user = b.user.id;
    // The DM channel the view was published for (private_metadata), else the user: chat.postMessage opens the DM.
    const dm = /^D[A-Z0-9]{2,}$/.test(b.view?.private_metadata ?? '') ? (b.view?.private_metadata as string) : user;
    const requestId = requestIdOf(context);
    const asker = newAsker(ctx, requestId, 'home', user, dm, true);
    if (!(await ctx.dedupe.first(b.trigger_id ? `trigger:${b.trigger_id}` : undefined, a.action_ts ? `action:${user}:${a.action_ts}` : undefined))) {
      asker.log.info('duplicate Home click dropped');
      return;
    }
    const name = (a.value ?? '').slice(0, 200);
    let posted: { channel: string; ts: string } | undefined;
    const post = async (label: string, msg: OutgoingMessage) => {
      if (posted) {
        const where = posted;
        await send(ctx, asker, 'chat.update', () => client.chat.update({ channel: where.channel, ts: where.ts, text: msg.text, blocks: msg.blocks }));
        return;
      }
      const res = await send(ctx, asker, label, () => client.chat.postMessage({ channel: dm, text: msg.text, blocks: msg.blocks }));
      if (res.channel && res.ts) posted = { channel: res.channel, ts: res.ts };
    };
    const reply: SurfaceReply = {
      probing: (msg) => post('chat.postMessage(probing)', msg),
      answer: (msg) => post('chat.postMessage', msg),
      failure: (msg) => post('chat.postMessage(refusal)', msg),
    };
    await answerQuestion(ctx, asker, { input: { tokens: ['report', name], text: `report ${name}` } }, reply);
    await publishHome(ctx, client, requestId, user, dm.startsWith('D') ? dm : '', `Ran report *${name}* — the result is in your messages with netpeek.`);
  });
}

async function publishHome(ctx: HandlerContext, client: webApi.WebClient, requestId: string, user: string, dm: string, notice?: string): Promise<void> {
  const asker = newAsker(ctx, requestId, 'home', user, dm, true);
  try {
    const [backends, reports] = await Promise.all([ask(ctx, asker, ['status']), ask(ctx, asker, ['report'])]);
    const view = homeView({ backends, reports, privateMetadata: dm, ...(notice ? { notice } : {}) });
    await send(ctx, asker, 'views.publish', () => client.views.publish({ user_id: user, view }));
  } catch (err) {
    asker.log.error({ err: err instanceof Error ? err.message : String(err) }, 'App Home not published');
  }
}

/** One command through the shared pipeline (authorize, run, audit) for a part of the Home view. */
async function ask(ctx: HandlerContext, asker: Asker, tokens: string[]): Promise<HomeSection> {
  const { pipeline } = ctx;
  const ready = pipeline.prepare(asker, { tokens, text: tokens.join(' ') });
  if (!ready.ok) {
    pipeline.record(asker, { command: ready.command, target: ready.target }, ready.outcome, ready.reason);
    return { refused: ready.message };
  }
  const ran = await pipeline.run(asker, ready);
  if (!ran.ok) {
    pipeline.record(asker, { command: ready.command.name, target: ready.target }, ran.outcome, ran.reason);
    return { refused: ran.message };
  }
  pipeline.record(asker, { command: ready.command.name, target: ready.target }, 'ok');
  return { answer: ran.answer };
}
