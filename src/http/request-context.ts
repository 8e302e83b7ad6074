import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/**
 * The request id of the inbound HTTP request whose work is running, carried through async calls
 * (AsyncLocalStorage). Node runs an `unhandledRejection` handler in the async context of the promise
 * that rejected, so the process-level handler can name the request that caused it.
 */

interface RequestScope {
  requestId: string;
}

const storage = new AsyncLocalStorage<RequestScope>();

/** Runs `fn` as the work of request `requestId` (a fresh UUID when not given). */
export function withRequestId<T>(fn: () => T, requestId: string = randomUUID()): T {
  return storage.run({ requestId }, fn);
}

/** The id of the request being served here, if any. */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}
