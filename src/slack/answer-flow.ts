import type { Answer } from '../core/answer.js';
import type { AnswerGraph } from '../core/policy-verdict.js';
import { graphToPng } from '../render/graph-png.js';
import { buttonsFor, type HandlerContext } from './context.js';
import { DeliveryError, slackErrorCode } from './delivery.js';
import type { Focus } from './lenient-question.js';
import { answerMessage, failureMessage, type OutgoingMessage, probingMessage, readAsNote } from './messages.js';
import type { AuditOutcome } from '../store/audit-log.js';
import type { Asker, Ready } from './pipeline.js';
import { safeError } from './safe-error.js';

/**
 * The one answer flow of every Slack surface (slash command, mention, DM, button; later message
 * shortcuts and Alertmanager): prepare (parse, resolve the command once, authorize) → "probing …" when
 * it sends packets → run → answer or failure, with one audit record at the end. A surface only says
 * how its replies are delivered, through a small SurfaceReply.
 */

/** How one surface delivers the three things the flow produces. Every method throws DeliveryError when Slack would not take it. */
export interface SurfaceReply {
  /**
   * The short notice a packet-sending question gets while it runs; the answer or failure replaces it.
   * A notice that cannot be posted is logged and the answer still comes.
   */
  probing(msg: OutgoingMessage, ready: Ready): Promise<void>;
  /** The answer (buttons and "read as" note included). */
  answer(msg: OutgoingMessage, answer: Answer, ready: Ready): Promise<void>;
  /**
   * A refusal, a mistake or a failure: to the asker only. `ready` is set when the question was
   * accepted and then failed while running (so a probing notice may be there to replace).
   */
  failure(msg: OutgoingMessage, ready?: Ready): Promise<void>;
  /**
   * The answer's picture (policy map) as a PNG, after the answer, where the surface can post a file
   * (files.uploadV2 into the thread or channel). Absent: the surface posts no files.
   */
  picture?(png: Buffer, graph: AnswerGraph, ready: Ready): Promise<void>;
}

/** What was asked, as the surface read it. */
export type Question =
  | {
      /** The command line: typed text, or tokens read from a plain question or a button. */
      input: { text: string } | { tokens: string[]; text: string };
      /** Only this part of the answer ("ports?", "Show ports"). */
      focus?: Focus;
      /** Put "Read as `…`" on the answer: the asker wrote a plain question, not a command. */
      readAs?: boolean;
      /** "Probe again": the earlier answer to this question, whose live steps alone are rerun. */
      rerunOf?: Answer;
    }
  | {
      /** The surface already knows it cannot answer (no subject for "it", a forged button). */
      refused: { message: string; details: string[]; command: string; target: string; outcome: AuditOutcome; reason: string };
    };

export async function answerQuestion(ctx: HandlerContext, asker: Asker, question: Question, reply: SurfaceReply): Promise<void> {
  const { pipeline } = ctx;
  let what = 'refused' in question ? { command: question.refused.command, target: question.refused.target } : { command: '(unparsed)', target: question.input.text.slice(0, 200) };
  try {
    if ('refused' in question) {
      const r = question.refused;
      await reply.failure(failureMessage(r.message, r.details));
      pipeline.record(asker, what, r.outcome, r.reason);
      return;
    }
    const ready = pipeline.prepare(asker, question.input);
    what = { command: ready.ok ? ready.command.name : ready.command, target: ready.target };
    if (!ready.ok) {
      await reply.failure(failureMessage(ready.message, ready.details));
      pipeline.record(asker, what, ready.outcome, ready.reason);
      return;
    }
    if (ready.probe) {
      await reply.probing(probingMessage(ready.commandLine), ready).catch((err: unknown) => {
        // The answer still comes; it just cannot replace anything.
        asker.log.warn({ err: safeError(err) }, 'could not post the "probing" reply');
      });
    }
    const ran = await pipeline.run(asker, ready, question.focus, question.rerunOf);
    if (!ran.ok) {
      await reply.failure(failureMessage(ran.message, ran.details), ready);
      pipeline.record(asker, what, ran.outcome, ran.reason);
      return;
    }
    const note = question.readAs ? readAsNote(ready.commandLine) : undefined;
    const msg = answerMessage(ran.answer, { buttons: await buttonsFor(ctx, ran.answer, asker.channel, ready.query), note });
    await reply.answer(msg, ran.answer, ready);
    if (ran.answer.graph && reply.picture) await postPicture(asker, reply, ran.answer.graph, ready);
    pipeline.record(asker, what, 'ok');
  } catch (err) {
    pipeline.record(asker, what, 'undelivered', err instanceof DeliveryError ? (slackErrorCode(err) ?? err.message.slice(0, 200)) : 'internal');
    if (!(err instanceof DeliveryError)) asker.log.error({ err: safeError(err) }, `${asker.source} handler failed`);
  }
}

/** The picture comes after an answer that already says everything in words: a failure here is logged, not sent. */
async function postPicture(asker: Asker, reply: SurfaceReply, graph: AnswerGraph, ready: Ready): Promise<void> {
  try {
    const png = await graphToPng(graph);
    await reply.picture!(png, graph, ready);
  } catch (err) {
    asker.log.warn({ err: safeError(err), graph: graph.name }, 'could not post the picture of the answer');
  }
}
