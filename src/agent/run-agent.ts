import { pathToFileURL } from 'node:url';
import { ConfigError } from '../config-error.js';
import { createLogger } from '../log.js';
import { installUnhandledRejectionHandler } from '../unhandled-rejections.js';
import { loadAgentConfig } from './agent-config.js';
import { startAgent, type AgentHandle } from './server.js';

/**
 * `netpeek agent`: read the environment, start the server, stop cleanly on SIGTERM/SIGINT.
 * Returns the handle so a caller (main.ts) can keep it; also runnable directly as a script.
 */
export async function runAgent(env: NodeJS.ProcessEnv = process.env): Promise<AgentHandle> {
  const logger = createLogger(env.LOG_LEVEL || 'info').child({ component: 'agent' });
  const config = loadAgentConfig(env);
  installUnhandledRejectionHandler(logger);
  const agent = await startAgent(config, { logger });
  const stop = (signal: string) => {
    logger.info({ signal }, 'agent stopping');
    void agent.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  return agent;
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  runAgent().catch((err: unknown) => {
    process.stderr.write(`${err instanceof ConfigError ? err.message : `netpeek agent failed to start: ${(err as Error).message}`}\n`);
    process.exit(1);
  });
}
