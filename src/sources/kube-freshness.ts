import type { Answer } from '../core/answer.js';
import type { KubeSource } from './kubernetes.js';

/**
 * An answer built from a context's watch caches while their watch is down says so: the caches keep
 * serving for up to a minute after the API server goes away (kube-watch-cache.ts), and without this
 * the asker could not tell a live answer from a remembered one. Which cluster the facts came from is
 * the Answer's subject source ("context <name>"), so commands need no change.
 */
export function noteStaleCache(answer: Answer, kube: KubeSource | undefined, now = Date.now()): Answer {
  const context = /^context (.+)$/.exec(answer.subject?.source ?? '')?.[1];
  if (!context || !kube?.configured()) return answer;
  let stale;
  try {
    stale = kube.cluster(context).staleness(now);
  } catch {
    return answer;
  }
  if (!stale) return answer;
  const sentence = `Cache of cluster ${stale.context} not updated for ${stale.secondsSinceUpdate} s: ${stale.reason}, so this answer may be out of date.`;
  return {
    ...answer,
    stale: { source: `cluster ${stale.context}`, secondsSinceUpdate: stale.secondsSinceUpdate, reason: stale.reason },
    warnings: [sentence, ...answer.warnings],
  };
}
