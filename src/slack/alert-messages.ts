import { describeSubject, type AlertSubject } from '../net/alert-subjects.js';
import { type Block, contextBlock, escapeMrkdwn, headerBlock, packLines, sectionBlock } from '../render/blocks.js';
import type { AlertmanagerAlert, AlertmanagerNotification } from './alertmanager-payload.js';
import type { OutgoingMessage } from './messages.js';

/**
 * What the Alertmanager receiver posts: the thread's first message (what fires, where to look), the
 * updates a group gets in its thread (alerts joined or resolved), and the resolved note.
 */

/** Alerts listed in one message; Alertmanager groups can hold hundreds. */
const LISTED_ALERTS = 15;
/** Labels that say nothing a reader needs next to each alert. */
const QUIET_LABELS = new Set(['alertname', 'severity', 'prometheus', 'job', 'endpoint', 'instance', 'service', 'uid', 'container_id', 'image', 'id']);

const alertName = (n: AlertmanagerNotification): string => n.commonLabels.alertname ?? n.groupLabels.alertname ?? n.alerts[0]?.labels.alertname ?? 'alert';

function labelLine(labels: Readonly<Record<string, string>>, skip: Readonly<Record<string, string>>): string {
  return Object.entries(labels)
    .filter(([k, v]) => !QUIET_LABELS.has(k) && skip[k] !== v)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

function alertLines(n: AlertmanagerNotification, alerts: readonly AlertmanagerAlert[]): string[] {
  const lines = alerts.slice(0, LISTED_ALERTS).map((a) => {
    const summary = a.annotations.summary ?? a.annotations.message ?? a.annotations.description ?? '';
    const labels = labelLine(a.labels, n.commonLabels);
    const mark = a.status === 'firing' ? ':red_circle:' : ':large_green_circle:';
    return `${mark} ${labels ? `\`${escapeMrkdwn(labels)}\` ` : ''}${escapeMrkdwn(summary)}`.trim();
  });
  if (alerts.length > LISTED_ALERTS) lines.push(`… and ${alerts.length - LISTED_ALERTS} more`);
  return lines;
}

function footer(n: AlertmanagerNotification): Block {
  const group = Object.entries(n.groupLabels).map(([k, v]) => `${k}=${v}`).join(', ');
  const link = /^https?:\/\//.test(n.externalURL) ? ` · <${n.externalURL}|Alertmanager>` : '';
  const truncated = n.truncatedAlerts ? ` · ${n.truncatedAlerts} more alerts not sent by Alertmanager (max_alerts)` : '';
  return contextBlock(`Alertmanager group ${escapeMrkdwn(group || n.groupKey)}${n.receiver ? ` · receiver ${escapeMrkdwn(n.receiver)}` : ''}${link}${truncated}`);
}

function subjectsLine(subjects: readonly AlertSubject[], diagnosed: number): Block {
  if (subjects.length === 0) return contextBlock('netpeek found no pod, Service or node in these alerts\' labels (it reads namespace, pod, container, service, node, instance, pod_ip and goldpinger/kubenurse labels).');
  const names = subjects.map((s) => `\`${escapeMrkdwn(describeSubject(s))}\``);
  const more = subjects.length > diagnosed ? ` (the first ${diagnosed} answered in the thread)` : ' (answered in the thread)';
  return contextBlock(`netpeek looks at: ${names.join(', ')}${more}`);
}

/** The thread's first message: the group as it fires now. */
export function firingMessage(n: AlertmanagerNotification, subjects: readonly AlertSubject[], diagnosed: number): OutgoingMessage {
  const firing = n.alerts.filter((a) => a.status === 'firing');
  const title = `FIRING${firing.length > 1 ? ` (${firing.length})` : ''}: ${alertName(n)}`;
  const common = n.commonAnnotations.summary ?? n.commonAnnotations.message ?? n.commonAnnotations.description;
  const blocks: Block[] = [headerBlock(title)];
  if (common) blocks.push(sectionBlock(escapeMrkdwn(common)));
  blocks.push(...packLines(alertLines(n, n.alerts), (body) => body));
  blocks.push(subjectsLine(subjects, diagnosed), footer(n));
  return { text: `${title}${common ? ` — ${common}` : ''}`, blocks };
}

/** A later notification of a group that still fires: which alerts fire now. */
export function updateMessage(n: AlertmanagerNotification, subjects: readonly AlertSubject[], diagnosed: number): OutgoingMessage {
  const firing = n.alerts.filter((a) => a.status === 'firing').length;
  const resolved = n.alerts.length - firing;
  const text = `Still firing: ${firing} alert${firing === 1 ? '' : 's'} of ${alertName(n)}${resolved ? `, ${resolved} resolved` : ''}`;
  return { text, blocks: [sectionBlock(`:rotating_light: *${escapeMrkdwn(text)}*`), ...packLines(alertLines(n, n.alerts), (body) => body), subjectsLine(subjects, diagnosed), footer(n)] };
}

/** The group resolved: added to its thread. */
export function resolvedMessage(n: AlertmanagerNotification): OutgoingMessage {
  const ends = n.alerts.map((a) => Date.parse(a.endsAt)).filter((t) => Number.isFinite(t) && t > 0);
  const at = ends.length ? ` at ${new Date(Math.max(...ends)).toISOString().replace('.000Z', 'Z')}` : '';
  const text = `RESOLVED: ${alertName(n)} — ${n.alerts.length === 1 ? 'the alert' : `all ${n.alerts.length} alerts`} resolved${at}`;
  return { text, blocks: [sectionBlock(`:white_check_mark: *${escapeMrkdwn(text)}*`), ...packLines(alertLines(n, n.alerts), (body) => body), footer(n)] };
}
