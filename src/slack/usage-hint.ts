import type { CommandSpec } from '../core/command.js';

// Lookups first, then probing, then the rest (help): the order people reach for them.
const ROLE_ORDER = { lookup: 0, probe: 1, path: 2, about: 3 } as const;

/**
 * The slash command's usage hint in deploy/slack/manifest.yaml, from the commands' own `usageHint`s;
 * a test keeps the manifest equal to it.
 */
export function slackUsageHint(commands: readonly CommandSpec[]): string {
  return commands
    .filter((c) => c.usageHint)
    .map((c, i) => ({ c, i }))
    .sort((a, b) => ROLE_ORDER[a.c.subject.role] - ROLE_ORDER[b.c.subject.role] || a.i - b.i)
    .map(({ c }) => c.usageHint)
    .join(' | ');
}
