/**
 * Alertmanager webhook notifications (version 4) in the shape its documentation gives
 * (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config), with the labels
 * kube-prometheus's KubePodCrashLooping / KubeServiceDown-style rules carry, and a POST helper that
 * authenticates the way Alertmanager's http_config does.
 */

export interface AlertOptions {
  status?: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
  fingerprint?: string;
}

export interface NotificationOptions {
  status?: 'firing' | 'resolved';
  groupLabels: Record<string, string>;
  alerts: AlertOptions[];
  receiver?: string;
  truncatedAlerts?: number;
}

const ZERO_TIME = '0001-01-01T00:00:00Z';

/** Alertmanager's groupKey: the route's matchers path, then the group labels, as it formats them. */
export function groupKeyOf(groupLabels: Record<string, string>): string {
  const labels = Object.entries(groupLabels)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ');
  return `{}/{severity=~"warning|critical"}:{${labels}}`;
}

function intersect(sets: Record<string, string>[]): Record<string, string> {
  const [first = {}, ...rest] = sets;
  return Object.fromEntries(Object.entries(first).filter(([k, v]) => rest.every((s) => s[k] === v)));
}

export function notification(o: NotificationOptions): Record<string, unknown> {
  const alerts = o.alerts.map((a, i) => {
    const status = a.status ?? o.status ?? 'firing';
    return {
      status,
      labels: a.labels,
      annotations: a.annotations ?? {},
      startsAt: a.startsAt ?? '2026-12-03T10:02:31.039Z',
      endsAt: a.endsAt ?? (status === 'resolved' ? '2026-12-03T10:42:01.123Z' : ZERO_TIME),
      generatorURL: `http://prometheus-k8s-0:9090/graph?g0.expr=rate%28kube_pod_container_status_restarts_total%5B5m%5D%29+%3E+0&g0.tab=1`,
      fingerprint: a.fingerprint ?? `5f0e2c8d4a1b3c${String(i).padStart(2, '0')}`,
    };
  });
  const status = o.status ?? (alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved');
  return {
    receiver: o.receiver ?? 'netpeek',
    status,
    alerts,
    groupLabels: o.groupLabels,
    commonLabels: intersect(alerts.map((a) => a.labels)),
    commonAnnotations: intersect(alerts.map((a) => a.annotations)),
    externalURL: 'http://alertmanager-main-0:9093',
    version: '4',
    groupKey: groupKeyOf(o.groupLabels),
    truncatedAlerts: o.truncatedAlerts ?? 0,
  };
}

/** kube-prometheus's KubePodCrashLooping for one pod (kube-state-metrics labels). */
export function crashLooping(namespace: string, pod: string, container = 'app'): AlertOptions {
  return {
    labels: {
      alertname: 'KubePodCrashLooping',
      container,
      endpoint: 'http',
      instance: '10.244.0.5:8080',
      job: 'kube-state-metrics',
      namespace,
      pod,
      prometheus: 'monitoring/k8s',
      reason: 'CrashLoopBackOff',
      service: 'prometheus-kube-state-metrics',
      severity: 'warning',
      uid: '2f1f6f7e-8a0b-4c5d-9e1f-0a1b2c3d4e5f',
    },
    annotations: {
      description: `Pod ${namespace}/${pod} (${container}) is in waiting state (reason: "CrashLoopBackOff").`,
      runbook_url: 'https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubepodcrashlooping',
      summary: 'Pod is crash looping.',
    },
  };
}

export type Auth = { bearer: string } | { basic: [string, string] } | { raw: string } | undefined;

export function authHeader(auth: Auth): Record<string, string> {
  if (!auth) return {};
  if ('bearer' in auth) return { authorization: `Bearer ${auth.bearer}` };
  if ('basic' in auth) return { authorization: `Basic ${Buffer.from(`${auth.basic[0]}:${auth.basic[1]}`).toString('base64')}` };
  return { authorization: auth.raw };
}

/** POSTs like Alertmanager's webhook notifier: JSON, its User-Agent, the http_config credentials. */
export async function postAlert(url: string, body: unknown, auth: Auth, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'Alertmanager/0.27.0', ...authHeader(auth), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = { raw: text };
  }
  return { status: res.status, json, headers: res.headers };
}
