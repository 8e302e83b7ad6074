import type { ActionsBlock as SlackActionsBlock, Button } from '@slack/types';
import type { Answer } from '../core/answer.js';
import type { CommandRegistryView } from '../core/command.js';
import { UserError } from '../core/errors.js';
import { BUTTON_ACTIONS, type ButtonAction } from '../core/kinds.js';
import { type ButtonPayload, signButtonToken } from './button-token.js';
import type { Focus } from './lenient-question.js';
import { subjectOf, type ThreadSubject } from './thread-subject.js';

/** action_id of each button; the listener matches /^netpeek_/. */
export const ACTION_IDS = Object.fromEntries(BUTTON_ACTIONS.map((a) => [a, `netpeek_${a}`])) as Readonly<Record<ButtonAction, string>>;
export const ACTION_ID_PATTERN = new RegExp(`^netpeek_(${BUTTON_ACTIONS.join('|')})$`);

const LABELS: Readonly<Record<ButtonAction, string>> = { probe: 'Probe now', ports: 'Show ports', explain: 'Explain', reprobe: 'Probe again' };

/** A button of netpeek's: its value is an opaque signed reference (button-token.ts), never a command line. */
export type ButtonElement = Button & { value: string };

export type ActionsBlock = SlackActionsBlock & { block_id: string; elements: ButtonElement[] };

/**
 * What "Probe now" runs for a subject: the lookup with --probe when that command takes it, else the
 * probe command (ping) when one is registered; undefined when nothing can probe it yet.
 */
function probeTokens(subject: ThreadSubject, registry: CommandRegistryView): string[] | undefined {
  const ns = subject.namespace ? ['-n', subject.namespace] : [];
  const lookup = registry.lookupFor(subject.kind);
  if (lookup?.sendsPackets === 'with --probe') return [lookup.name, subject.name, ...ns, '--probe'];
  const probe = registry.withRole('probe');
  if (probe) return [probe.name, subject.name, ...ns];
  return undefined;
}

/** Tokens a button runs, plus which part of the answer to show. Throws UserError when it cannot run. */
export function actionTokens(action: ButtonAction, subject: ThreadSubject, registry: CommandRegistryView): { tokens: string[]; focus?: Focus } {
  // "Probe again" reruns a held answer's question (button-actions.ts), not a lookup of its subject.
  if (action === 'reprobe') throw new UserError('"Probe again" belongs to a why answer; ask the question again.', []);
  if (action === 'probe') {
    const tokens = probeTokens(subject, registry);
    if (!tokens) throw new UserError(`netpeek cannot probe a ${subject.kind} yet.`, [`Try: ${registry.lookupFor(subject.kind)?.name ?? subject.kind} ${subject.name}`]);
    return { tokens };
  }
  const lookup = registry.lookupFor(subject.kind)?.name;
  if (!lookup) throw new UserError(`netpeek has no lookup for a ${subject.kind} yet.`, []);
  return { tokens: [lookup, subject.name, ...(subject.namespace ? ['-n', subject.namespace] : [])], focus: action };
}

/**
 * Whether an answer gets "Probe again": its command reruns live steps, and a live step ran (something was
 * probed). Such an answer gets that button alone: the lookup buttons of its subject would answer another question.
 */
export function rerunsLive(answer: Answer, registry: CommandRegistryView): boolean {
  return answer.diagnosis !== undefined && answer.probes.length > 0 && registry.find(answer.command)?.rerunsLiveSteps === true;
}

/** Which buttons make sense for an answer: those its subject's lookup declares ("Probe now" only when something can probe it). */
export function buttonActions(answer: Answer, registry: CommandRegistryView): ButtonAction[] {
  if (rerunsLive(answer, registry)) return ['reprobe'];
  const subject = subjectOf(answer);
  const declared = subject ? (registry.lookupFor(subject.kind)?.buttons ?? []) : [];
  return BUTTON_ACTIONS.filter((a) => declared.includes(a) && (a !== 'probe' || probeTokens(subject!, registry) !== undefined));
}

/** "Probe now" / "Show ports" / "Explain" for an answer about a named thing; undefined for anything else. */
export function answerButtons(
  answer: Answer,
  opts: { channel: string; key: Buffer; ttlSeconds: number; registry: CommandRegistryView; nowMs?: number; rerunId?: string },
): ActionsBlock | undefined {
  const subject = subjectOf(answer);
  const actions = buttonActions(answer, opts.registry).filter((a) => a !== 'reprobe' || opts.rerunId !== undefined);
  if (!subject || actions.length === 0) return undefined;
  const exp = Math.floor((opts.nowMs ?? Date.now()) / 1000) + opts.ttlSeconds;
  return {
    type: 'actions',
    block_id: 'netpeek_actions',
    elements: actions.map((c) => {
      const payload: ButtonPayload = { c, k: subject.kind, n: subject.name, ...(subject.namespace ? { ns: subject.namespace } : {}), ch: opts.channel, exp, ...(c === 'reprobe' && opts.rerunId ? { r: opts.rerunId } : {}) };
      return { type: 'button', action_id: ACTION_IDS[c], text: { type: 'plain_text', text: LABELS[c], emoji: false }, value: signButtonToken(payload, opts.key) };
    }),
  };
}

/** The part of an answer a focused question asked for ("ports?", "why?", "Show ports", "Explain"). */
export function focusAnswer(answer: Answer, focus: Focus | undefined): Answer {
  if (!focus) return answer;
  const bare = { ...answer, facts: [], addresses: [], ports: [], probes: [], tables: [], hints: [], sharing: undefined };
  if (focus === 'ports') {
    return {
      ...bare,
      title: `${answer.title}: ports`,
      summary: answer.ports.length ? undefined : 'No ports are declared, exposed or published for it.',
      ports: answer.ports,
      explanations: [],
      warnings: answer.warnings,
    };
  }
  return {
    ...bare,
    title: `${answer.title}: why`,
    sharing: answer.sharing,
    explanations: answer.explanations.length ? answer.explanations : ['netpeek has no further explanation for this answer.'],
    warnings: answer.warnings,
  };
}
