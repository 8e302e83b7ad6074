import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * Alertmanager's webhook notification, version 4 (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config),
 * read strictly enough that nothing half-formed reaches Slack, loosely enough that fields Alertmanager
 * adds later do not break it. A bad notification gets one sentence naming the field that is wrong.
 */

const labelSet = z.record(z.string(), z.string());

const alertSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: labelSet,
  annotations: labelSet.default({}),
  startsAt: z.string().default(''),
  endsAt: z.string().default(''),
  generatorURL: z.string().default(''),
  fingerprint: z.string().optional(),
});

const notificationSchema = z.object({
  version: z.literal('4', { errorMap: () => ({ message: 'must be "4" (Alertmanager\'s webhook format version 4)' }) }),
  groupKey: z.string().min(1, 'must not be empty').max(2048, 'is longer than 2048 characters'),
  truncatedAlerts: z.number().int().min(0).default(0),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string().default(''),
  groupLabels: labelSet.default({}),
  commonLabels: labelSet.default({}),
  commonAnnotations: labelSet.default({}),
  externalURL: z.string().default(''),
  alerts: z.array(alertSchema).min(1, 'has no alerts'),
});

export type AlertmanagerAlert = z.infer<typeof alertSchema>;
export type AlertmanagerNotification = z.infer<typeof notificationSchema>;

export type ParsedNotification = { ok: true; notification: AlertmanagerNotification } | { ok: false; reason: string };

export function parseNotification(body: string): ParsedNotification {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'the body is not JSON; Alertmanager\'s webhook sends a JSON notification (version 4)' };
  }
  const parsed = notificationSchema.safeParse(json);
  if (parsed.success) return { ok: true, notification: parsed.data };
  const issue = parsed.error.issues[0]!;
  const where = issue.path.length ? issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').replace(/^\./, '') : 'the body';
  return { ok: false, reason: `${where}: ${issue.message}; expected Alertmanager's webhook notification version 4 ({"version":"4","groupKey":…,"status":…,"alerts":[…]})` };
}

/** An alert's identity: Alertmanager's fingerprint, else a hash of its sorted labels. */
export function alertIdentity(a: AlertmanagerAlert): string {
  if (a.fingerprint) return a.fingerprint;
  const labels = Object.entries(a.labels).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  return createHash('sha256').update(JSON.stringify(labels)).digest('hex').slice(0, 16);
}

/**
 * What makes two notifications of a group "the same": the group status and each alert's identity,
 * status and start. A repeat (repeat_interval, a retry) has the same digest; an alert that joins,
 * resolves or starts again changes it.
 */
export function notificationDigest(n: AlertmanagerNotification): string {
  const alerts = n.alerts.map((a) => `${alertIdentity(a)}|${a.status}|${a.startsAt}`).sort();
  return createHash('sha256').update(JSON.stringify([n.status, alerts])).digest('hex');
}
