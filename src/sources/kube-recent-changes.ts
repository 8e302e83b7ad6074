import type { Answer, ChangeEntry } from '../core/answer.js';
import { changeTouches, type ChangeRef } from '../net/reachability-changes.js';
import type { ChangeFilter, RecordedChange } from './kube-change-history.js';

/**
 * "Changed recently": the changes of the change history that touch the objects a diagnosis looked at
 * (the pod, its node, the Services selecting it; a Service, its EndpointSlices and pods), for the pod,
 * svc and why answers, and so for the Alertmanager and shortcut diagnoses built from them.
 */

/** How far back "recently" reaches. */
export const RECENT_WINDOW_MS = 3_600_000;
/** Rows shown; `changes <target>` shows the rest. */
const RECENT_SHOWN = 10;

export type ChangeSubject = ChangeRef & { nodeName?: string };

export interface ChangeLog {
  changes(filter?: ChangeFilter): RecordedChange[];
}

/** Changes touching any of the objects in [since, until], newest first: one pass over the ring, whatever the number of objects. */
export function changesTouching(log: ChangeLog, subjects: readonly ChangeSubject[], window: { since: number; until?: number }, namespaces?: readonly string[]): RecordedChange[] {
  if (subjects.length === 0) return [];
  const inWindow = log.changes({ since: window.since, ...(namespaces ? { namespaces } : {}) });
  return inWindow.filter((c) => (window.until === undefined || c.at <= window.until) && subjects.some((s) => changeTouches(c, s))).reverse();
}

export function changeEntry(c: RecordedChange): ChangeEntry {
  return {
    at: new Date(c.at).toISOString(),
    kind: c.kind,
    ...(c.namespace !== undefined ? { namespace: c.namespace } : {}),
    name: c.name,
    action: c.action,
    diff: c.diff,
    ...(c.manager ? { manager: c.manager } : {}),
    ...(c.viaRelist ? { viaRelist: true } : {}),
  };
}

export function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s}s ago`;
  if (s < 5400) return `${Math.round(s / 60)}m ago`;
  return `${Math.round(s / 3600)}h ago`;
}

/** "Service shop/web", "node worker-1". */
export function changedObject(c: Pick<RecordedChange, 'kind' | 'namespace' | 'name'>): string {
  return `${c.kind === 'Pod' ? 'pod' : c.kind === 'Node' ? 'node' : c.kind} ${c.namespace ? `${c.namespace}/` : ''}${c.name}`;
}

/** One line a post can show: "Service shop/web: selector app=web → app=wbe (kubectl-edit, 4m ago)". */
export function changeLine(c: RecordedChange, now: number): string {
  return `${changedObject(c)}: ${c.diff} (${c.manager ? `${c.manager}, ` : ''}${ago(now - c.at)}${c.viaRelist ? ', found by a relist' : ''})`;
}

/**
 * Adds what changed in the last hour on the diagnosis's objects: `changedRecently` in JSON, a table
 * every renderer shows, and a warning line naming the newest change (it is often the answer).
 */
export function addChangedRecently(answer: Answer, log: ChangeLog | undefined, subjects: readonly ChangeSubject[], now = Date.now(), namespaces?: readonly string[]): void {
  if (!log) return;
  const found = changesTouching(log, subjects, { since: now - RECENT_WINDOW_MS }, namespaces);
  // Absent when nothing changed, so answers (and their golden files) are as before.
  if (!found.length) return;
  answer.changedRecently = found.slice(0, RECENT_SHOWN).map(changeEntry);
  answer.tables.push({
    title: `Changed recently (last ${Math.round(RECENT_WINDOW_MS / 60_000)} min)`,
    columns: ['when', 'object', 'change', 'by'],
    rows: found.slice(0, RECENT_SHOWN).map((c) => [`${new Date(c.at).toISOString().slice(11, 19)}Z (${ago(now - c.at)})`, changedObject(c), c.diff + (c.viaRelist ? ' (found by a relist)' : ''), c.manager ?? '—']),
  });
  answer.hints.push(`Changed recently: ${changeLine(found[0]!, now)}${found.length > 1 ? ` and ${found.length - 1} more` : ''}.`);
}
