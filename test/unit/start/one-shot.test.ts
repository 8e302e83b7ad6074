import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../commands/index.js';
import { answerQuery } from '../../../src/core/ask.js';
import { isNetpeekError } from '../../../src/core/errors.js';
import { parseTokens } from '../../../src/core/query.js';
import { CommandRegistry } from '../../../src/core/registry.js';
import type { Deps } from '../../../src/deps.js';
import { selfContainedDeps } from '../../../src/start/self-contained-deps.js';

describe('selfContained commands answer without configuration or backends (issue 19)', () => {
  const registry = new CommandRegistry<Deps>(COMMANDS);
  const selfContained = COMMANDS.filter((c) => c.selfContained);

  it('every question of explain and help answers from deps that hold only a logger', async () => {
    expect(selfContained.map((c) => c.name).sort()).toEqual(['explain', 'help']);
    const questions = [['explain'], ['explain', 'expose'], ['explain', 'docker-desktop'], ['help'], ['help', 'pod'], ['help', 'why'], ['explain', '--help'], ['help', 'explain', '--json']];
    for (const q of questions) {
      const answer = await answerQuery(parseTokens(q), registry, selfContainedDeps({}));
      expect(answer.command).toBe(q[0] === 'explain' && !q.includes('--help') ? 'explain' : 'help');
    }
    // A wrong topic is the user's error, not a read of the configuration.
    const err = await answerQuery(parseTokens(['explain', 'expsoe']), registry, selfContainedDeps({})).catch((e: unknown) => e);
    expect(isNetpeekError(err) && err.message).toMatch(/no explanation for "expsoe"\. Did you mean "expose"\?/);
  });

  it('the configuration and the report catalog are refused, naming the declaration', () => {
    const deps = selfContainedDeps({ LOG_LEVEL: 'loud' });
    expect(() => deps.config).toThrow(/a selfContained command read deps\.config/);
    expect(() => deps.reports).toThrow(/read deps\.reports/);
    expect(deps.docker).toBeUndefined();
    expect(deps.kube).toBeUndefined();
    // An invalid LOG_LEVEL falls back to info here: the selfContained path validates nothing.
    expect(deps.log.level).toBe('info');
    expect(selfContainedDeps({ LOG_LEVEL: 'silent' }).log.level).toBe('silent');
  });
});
