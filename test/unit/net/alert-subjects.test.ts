import { describe, expect, it } from 'vitest';
import { describeSubject, ipOfInstance, LOOKED_FOR, subjectsFromLabels, subjectsFromMessage } from '../../../src/net/alert-subjects.js';

/** Label sets as real alerts carry them: kube-prometheus rules over kube-state-metrics and cAdvisor, goldpinger, kubenurse. */
describe('subjectsFromLabels', () => {
  it('KubePodCrashLooping (kube-state-metrics): the pod and its container, not the exporter\'s Service or instance', () => {
    const labels = { alertname: 'KubePodCrashLooping', container: 'app', endpoint: 'http', instance: '10.244.0.5:8080', job: 'kube-state-metrics', namespace: 'shop', pod: 'web-1', service: 'prometheus-kube-state-metrics', severity: 'warning' };
    expect(subjectsFromLabels(labels)).toEqual([{ kind: 'pod', name: 'web-1', namespace: 'shop', container: 'app' }]);
  });

  it('exported_* labels (a target that has the same labels) win over the target\'s own', () => {
    const labels = { alertname: 'KubePodNotReady', namespace: 'monitoring', pod: 'kube-state-metrics-6d8f7-abcde', exported_namespace: 'payments', exported_pod: 'pay-0' };
    expect(subjectsFromLabels(labels)).toEqual([{ kind: 'pod', name: 'pay-0', namespace: 'payments' }]);
  });

  it('a Service alert (blackbox/KubeServiceDown style) names the Service and its namespace', () => {
    expect(subjectsFromLabels({ alertname: 'TargetDown', job: 'web', namespace: 'shop', service: 'web', severity: 'warning' })).toEqual([{ kind: 'service', name: 'web', namespace: 'shop' }]);
  });

  it('KubeNodeNotReady: the node', () => {
    expect(subjectsFromLabels({ alertname: 'KubeNodeNotReady', node: 'worker-3', condition: 'Ready', status: 'true' })).toEqual([{ kind: 'node', name: 'worker-3' }]);
  });

  it('cAdvisor\'s POD container is the pause container, not a container worth naming', () => {
    expect(subjectsFromLabels({ namespace: 'shop', pod: 'web-1', container: 'POD' })).toEqual([{ kind: 'pod', name: 'web-1', namespace: 'shop' }]);
  });

  it('goldpinger: the pinging node, the peer\'s node and pod IPs', () => {
    const labels = { alertname: 'GoldpingerPeerUnhealthy', goldpinger_instance: 'worker-1', host_ip: '192.0.2.22', pod_ip: '10.244.2.7', call_type: 'ping', namespace: 'goldpinger', instance: '10.244.1.4:8080' };
    expect(subjectsFromLabels(labels)).toEqual([
      { kind: 'node', name: 'worker-1' },
      { kind: 'ip', name: '10.244.2.7' },
      { kind: 'ip', name: '192.0.2.22' },
      { kind: 'ip', name: '10.244.1.4' },
      { kind: 'namespace', name: 'goldpinger' },
    ]);
  });

  it('kubenurse: a neighbour path check names the neighbour\'s node', () => {
    expect(subjectsFromLabels({ alertname: 'KubenurseNeighbourErrors', type: 'path_worker-2', event: 'dial', namespace: 'kube-system', pod: 'kubenurse-x7k2p' })).toEqual([
      { kind: 'pod', name: 'kubenurse-x7k2p', namespace: 'kube-system' },
      { kind: 'node', name: 'worker-2' },
    ]);
  });

  it('ignores values that cannot be Kubernetes names (a pasted expression, upper case, too long)', () => {
    expect(subjectsFromLabels({ pod: 'web-1; rm -rf /', namespace: 'Shop', node: 'a'.repeat(300) })).toEqual([]);
  });

  it('nothing recognisable: no subjects', () => {
    expect(subjectsFromLabels({ alertname: 'Watchdog', severity: 'none' })).toEqual([]);
  });
});

describe('ipOfInstance', () => {
  it('reads host:port, [v6]:port and bare addresses; a name is not an address', () => {
    expect(ipOfInstance('10.244.1.4:8080')).toBe('10.244.1.4');
    expect(ipOfInstance('[fd00::1]:9100')).toBe('fd00::1');
    expect(ipOfInstance('192.0.2.1')).toBe('192.0.2.1');
    expect(ipOfInstance('node-exporter:9100')).toBeUndefined();
    expect(ipOfInstance('999.1.1.1:80')).toBeUndefined();
  });
});

describe('describeSubject', () => {
  it('reads as people write it', () => {
    expect(describeSubject({ kind: 'pod', name: 'web-1', namespace: 'shop' })).toBe('pod shop/web-1');
    expect(describeSubject({ kind: 'service', name: 'web', namespace: 'shop' })).toBe('Service shop/web');
    expect(describeSubject({ kind: 'ip', name: '10.0.0.1' })).toBe('IP 10.0.0.1');
  });
});

describe('subjectsFromMessage (the "Diagnose with netpeek" shortcut)', () => {
  it('an Alertmanager Slack notification with the usual details template (mrkdwn bullets)', () => {
    const text = [
      '*Alert:* Pod is crash looping. - `warning`',
      '*Description:* Pod shop/web-1 (app) is in waiting state (reason: "CrashLoopBackOff").',
      '*Details:*',
      '  • *alertname:* `KubePodCrashLooping`',
      '  • *container:* `app`',
      '  • *namespace:* `shop`',
      '  • *pod:* `web-1`',
      '  • *service:* `prometheus-kube-state-metrics`',
    ].join('\n');
    expect(subjectsFromMessage({ text })).toEqual([{ kind: 'pod', name: 'web-1', namespace: 'shop', container: 'app' }]);
  });

  it('Alertmanager\'s slack_configs attachment with label fields, and a title listing label values', () => {
    const message = {
      text: '',
      attachments: [
        {
          color: 'danger',
          title: '[FIRING:1] KubeServiceDown (http shop web warning)',
          title_link: 'http://alertmanager-main-0:9093/#/alerts?receiver=slack',
          text: 'Service shop/web has no ready endpoints.',
          fallback: '[FIRING:1] KubeServiceDown | http://alertmanager-main-0:9093/#/alerts?receiver=slack',
          fields: [
            { title: 'namespace', value: 'shop', short: true },
            { title: 'service', value: 'web', short: true },
            { title: 'severity', value: 'warning', short: true },
          ],
        },
      ],
    };
    expect(subjectsFromMessage(message)).toEqual([{ kind: 'service', name: 'web', namespace: 'shop' }]);
  });

  it('a goldpinger alert with its labels in braces', () => {
    const text = '[FIRING:1] GoldpingerNodeUnhealthy\ngoldpinger_peers_response_time_s{goldpinger_instance="worker-1", host_ip="192.0.2.22", pod_ip="10.244.2.7", call_type="ping"} > 1';
    expect(subjectsFromMessage({ text })).toEqual([
      { kind: 'node', name: 'worker-1' },
      { kind: 'ip', name: '10.244.2.7' },
      { kind: 'ip', name: '192.0.2.22' },
    ]);
  });

  it('a kubenurse alert: the neighbour path names the node', () => {
    const text = ':rotating_light: KubenurseNeighbourhoodErrors: kubenurse_errors_total{event="dial", type="path_worker-2", namespace="kube-system", pod="kubenurse-x7k2p"} increased by 12 in 5m';
    expect(subjectsFromMessage({ text })).toEqual([
      { kind: 'pod', name: 'kubenurse-x7k2p', namespace: 'kube-system' },
      { kind: 'node', name: 'worker-2' },
    ]);
  });

  it('a person asking in prose: pod/… -n …, a Service DNS name with a port, an IP', () => {
    const text = 'anyone know why pod/checkout-7d9f -n shop can\'t reach payments-api.payments.svc.cluster.local:8080? it used to answer on 10.96.14.2';
    expect(subjectsFromMessage({ text })).toEqual([
      { kind: 'pod', name: 'checkout-7d9f', namespace: 'shop' },
      { kind: 'service', name: 'payments-api', namespace: 'payments' },
      { kind: 'ip', name: '10.96.14.2' },
    ]);
  });

  it('rich_text blocks of a message typed in Slack, with a link and code', () => {
    const blocks = [
      {
        type: 'rich_text',
        block_id: 'xY1z',
        elements: [
          {
            type: 'rich_text_section',
            elements: [
              { type: 'text', text: 'node ' },
              { type: 'text', text: 'worker-3', style: { code: true } },
              { type: 'text', text: ' went NotReady, and service api in namespace payments lost its endpoints: ' },
              { type: 'link', url: 'https://grafana.example/d/abc' },
            ],
          },
        ],
      },
    ];
    expect(subjectsFromMessage({ text: 'node worker-3 went NotReady', blocks })).toEqual([
      { kind: 'node', name: 'worker-3' },
      { kind: 'service', name: 'api', namespace: 'payments' },
    ]);
  });

  it('Slack\'s escaping and links are read as plain text; mentions are not names', () => {
    expect(subjectsFromMessage({ text: '<@U0ALICE001> pod &lt;nope&gt; — see <https://runbooks.example/pod|pod web-2> in namespace shop' })).toEqual([
      { kind: 'pod', name: 'web-2', namespace: 'shop' },
    ]);
    expect(subjectsFromMessage({ text: 'is something wrong in namespace payments?' })).toEqual([{ kind: 'namespace', name: 'payments' }]);
  });

  it('nothing recognisable: no subjects (a deploy note, prose about pods in general)', () => {
    expect(subjectsFromMessage({ text: 'deploy of checkout v2.3.1 finished :tada: — pods are rolling, nodes look fine' })).toEqual([]);
    expect(subjectsFromMessage({})).toEqual([]);
  });

  it('says what it looked for', () => {
    expect(LOOKED_FOR.join(' ')).toContain('pod/<name>');
    expect(LOOKED_FOR.join(' ')).toContain('namespace="shop"');
  });
});
