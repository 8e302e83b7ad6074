import { describe, expect, it } from 'vitest';
import { describeSubject, ipOfInstance, subjectsFromLabels } from '../../../src/net/alert-subjects.js';

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
