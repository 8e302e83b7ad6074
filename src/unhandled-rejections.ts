import { currentRequestId } from './http/request-context.js';
import type { Logger } from './log.js';

/**
 * A long-running netpeek process (the Slack bot, the agent) must outlive a bug in a path nobody awaits —
 * such as Bolt 4.7's HTTP receiver reading a property of a `null` body in a detached async closure.
 * Without a handler Node ends the process on an unhandled rejection and every conversation in flight is
 * lost; with this one it is logged (with the request it belonged to) and the process keeps serving.
 * Synchronous uncaught exceptions still end the process, after one fatal log line: its state is unknown.
 */
export function installUnhandledRejectionHandler(log: Logger): () => void {
  const onRejection = (reason: unknown) => {
    const err = reason instanceof Error ? { type: reason.name, message: reason.message, stack: reason.stack } : { message: String(reason) };
    log.error({ err, requestId: currentRequestId() ?? null }, 'unhandled promise rejection (netpeek keeps serving)');
  };
  const onException = (err: Error) => {
    log.fatal({ err: { type: err.name, message: err.message, stack: err.stack }, requestId: currentRequestId() ?? null }, 'uncaught exception; exiting');
    log.flush?.();
    process.exit(1);
  };
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  };
}
