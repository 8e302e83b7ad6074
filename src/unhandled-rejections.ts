import { requestsInFlight } from './http/requests-in-flight.js';
import type { Logger } from './log.js';

/**
 * A long-running netpeek process (the Slack bot, the agent) must outlive a bug in a path nobody awaits —
 * such as Bolt 4.7's HTTP receiver reading a property of a `null` body in a detached async closure.
 * Without a handler Node ends the process on an unhandled rejection and every conversation in flight is
 * lost; with this one it is logged and the process keeps serving. Synchronous uncaught exceptions still
 * end the process, after one fatal log line: its state is unknown.
 *
 * Which request a failure belongs to is not carried through async calls (no AsyncLocalStorage: see
 * requests-in-flight.ts), so the line names the requests being served when it happened: `requestId`
 * when exactly one was, else `requestsInFlight` (the first MAX_NAMED, oldest first) and their count.
 */
export function installUnhandledRejectionHandler(log: Logger): () => void {
  const onRejection = (reason: unknown) => {
    const err = reason instanceof Error ? { type: reason.name, message: reason.message, stack: reason.stack } : { message: String(reason) };
    log.error({ err, ...inFlightFields(requestsInFlight()) }, 'unhandled promise rejection (netpeek keeps serving)');
  };
  const onException = (err: Error) => {
    log.fatal({ err: { type: err.name, message: err.message, stack: err.stack }, ...inFlightFields(requestsInFlight()) }, 'uncaught exception; exiting');
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

/** Request ids named on one log line at most; the count says how many more there were. */
const MAX_NAMED = 20;

/** The log fields naming the requests in flight: the one request, or none, or some of several. */
export function inFlightFields(ids: readonly string[]): { requestId: string | null; requestsInFlight?: string[]; requestsInFlightCount?: number } {
  if (ids.length <= 1) return { requestId: ids[0] ?? null };
  return { requestId: null, requestsInFlight: ids.slice(0, MAX_NAMED), requestsInFlightCount: ids.length };
}
