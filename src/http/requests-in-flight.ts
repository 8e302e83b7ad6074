/**
 * The ids of the requests whose work is running now, for the process-level handlers
 * (unhandled-rejections.ts) to name. A request id otherwise travels explicitly — Bolt's listener
 * context, the asker, child loggers — never in async-local storage: an AsyncLocalStorage in use turns
 * on async hooks for every promise, timer, socket write and tick in the process, and that alone cost a
 * bare node:http server 9–15 % of its p99 ack time in bursts of 50 (bench:slack, issue 19). A Map entry
 * per request costs nothing measurable, and only answer work (after the ack) opens one.
 */

const open = new Map<number, string>();
let nextToken = 0;

/** Marks `requestId` as being served until the returned function is called (once; later calls do nothing). */
export function openRequest(requestId: string): () => void {
  const token = nextToken++;
  open.set(token, requestId);
  return () => {
    open.delete(token);
  };
}

/** The ids of the requests being served, oldest first. */
export function requestsInFlight(): string[] {
  return [...open.values()];
}
