import type { Answer } from '../core/answer.js';
import { type Block, contextBlock, errorToBlocks, escapeMrkdwn, SLACK_LIMITS, toBlocks } from '../render/blocks.js';
import type { ActionsBlock } from './buttons.js';

/** Every block netpeek posts: the renderer's blocks plus the buttons row (all @slack/types KnownBlocks). */
export type SlackBlock = Block | ActionsBlock;

export interface OutgoingMessage {
  text: string;
  blocks: SlackBlock[];
}

/**
 * An answer as posted: the Block Kit rendering, an optional note on top ("read as `ping webserver-2
 * --port 8080`"), and the buttons — still within Slack's 50-block limit.
 */
export function answerMessage(answer: Answer, opts: { buttons?: ActionsBlock; note?: string } = {}): OutgoingMessage {
  const rendered = toBlocks(answer);
  const extra = (opts.buttons ? 1 : 0) + (opts.note ? 1 : 0);
  let blocks: SlackBlock[] = rendered.blocks;
  if (blocks.length + extra > SLACK_LIMITS.blocksPerMessage) {
    const keep = SLACK_LIMITS.blocksPerMessage - extra - 1;
    blocks = [...blocks.slice(0, keep), contextBlock('… more not shown in Slack; run the same question in the terminal or with --json for everything.')];
  }
  if (opts.note) blocks = [...blocks.slice(0, 1), contextBlock(opts.note), ...blocks.slice(1)];
  if (opts.buttons) blocks = [...blocks, opts.buttons];
  return { text: rendered.text, blocks };
}

/** A refusal or failure: the reason, then what is allowed / usage. */
export function failureMessage(message: string, details: string[]): OutgoingMessage {
  return errorToBlocks(message, details);
}

/** The short reply a probe gets while it runs. */
export function probingMessage(commandLine: string): OutgoingMessage {
  const text = `Probing: \`${escapeMrkdwn(commandLine)}\` …`;
  return { text: `Probing: ${commandLine} …`, blocks: [contextBlock(`:hourglass_flowing_sand: ${text}`)] };
}

/** "I read that as …" for plain questions, so the asker learns the exact command. */
export function readAsNote(commandLine: string): string {
  return `Read as \`${escapeMrkdwn(commandLine)}\``;
}
