import type { ReportLine } from '../core/report.js';
import { changedObject, changesTouching, type ChangeLog, type ChangeSubject } from '../sources/kube-recent-changes.js';
import type { RunDiff } from './diff.js';
import type { ReportRun, TargetResult } from './model.js';

/**
 * When targets flip to unreachable, the post lists the changes the change history saw touching either
 * end of them (the target's pod or Service, the node it was probed from) between the last good run and
 * the first bad one: the usual answer to "what changed?".
 */

/** Lines shown in the post; the rest are counted. */
const SHOWN = 10;

const NAME = '[a-z0-9](?:[-a-z0-9.]*[a-z0-9])?';
const POD = new RegExp(`^pod (${NAME})/(${NAME})`);
const SERVICE = new RegExp(`^service (${NAME})/(${NAME})(?: → pod (${NAME})/(${NAME}))?`);
const NODE_PAIR = new RegExp(`^node (${NAME}) → (${NAME})`);
const FROM_NODE = new RegExp(`^node (${NAME})$`);

/** The Kubernetes objects at either end of a result, read from its subject and vantage (targets.ts's spellings). */
export function endsOf(r: Pick<TargetResult, 'subject' | 'from'>): ChangeSubject[] {
  const out: ChangeSubject[] = [];
  const pod = POD.exec(r.subject);
  if (pod) out.push({ kind: 'Pod', namespace: pod[1]!, name: pod[2]! });
  const svc = SERVICE.exec(r.subject);
  if (svc) {
    out.push({ kind: 'Service', namespace: svc[1]!, name: svc[2]! });
    if (svc[3] && svc[4]) out.push({ kind: 'Pod', namespace: svc[3], name: svc[4] });
  }
  const nodes = NODE_PAIR.exec(r.subject);
  if (nodes) out.push({ kind: 'Node', name: nodes[1]! }, { kind: 'Node', name: nodes[2]! });
  const from = FROM_NODE.exec(r.from);
  if (from && !out.some((s) => s.kind === 'Node' && s.name === from[1])) out.push({ kind: 'Node', name: from[1]! });
  return out;
}

/**
 * The changes touching the newly failed targets between the previous run (the last one they were not
 * failing in) and this one; empty without a previous run or a change history.
 */
export function flipChanges(run: ReportRun, previous: ReportRun | undefined, diff: RunDiff, log: ChangeLog | undefined): { lines: ReportLine[]; total: number } {
  if (!log || !previous || diff.newFailures.length === 0) return { lines: [], total: 0 };
  const subjects = diff.newFailures.flatMap(endsOf);
  const found = changesTouching(log, subjects, { since: Date.parse(previous.startedAt), until: Date.parse(run.finishedAt) }).reverse();
  const time = (ms: number) => `${new Date(ms).toISOString().slice(11, 16)}Z`;
  const lines: ReportLine[] = found.slice(0, SHOWN).map((c) => ({ kind: 'change', subject: changedObject(c), text: `${c.diff} · ${time(c.at)}${c.manager ? ` by ${c.manager}` : ''}${c.viaRelist ? ' (found by a relist)' : ''}` }));
  return { lines, total: found.length };
}
