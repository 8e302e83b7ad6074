import type { Deps } from '../deps.js';
import { deferredLogger, LOG_LEVELS, type Logger, type LogLevel } from '../log.js';

/**
 * What a selfContained command is given: a logger (for a failure that is netpeek's bug) and no backend.
 * The configuration and the report catalog are not read for it, so asking for them is a bug in the
 * command's declaration, and says so.
 */
export function selfContainedDeps(env: NodeJS.ProcessEnv = process.env): Deps {
  const level = (LOG_LEVELS as readonly string[]).includes(env.LOG_LEVEL ?? '') ? (env.LOG_LEVEL as LogLevel) : 'info';
  const log: Logger = deferredLogger(level);
  const refuse = (what: string) => () => {
    throw new Error(`a selfContained command read deps.${what}; declare it without selfContained to be given the configuration and backends`);
  };
  return Object.defineProperties({ log } as Deps, { config: { get: refuse('config') }, reports: { get: refuse('reports') } });
}
