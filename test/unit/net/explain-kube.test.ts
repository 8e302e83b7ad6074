import { describe, expect, it } from 'vitest';
import {
  HOST_NETWORK_POD,
  NODE_REACHES_POD_IP,
  POD_IP_NO_PUBLISHING,
  POD_NETWORK_IS_SEPARATE,
  POD_ONE_NAMESPACE,
  containerIpIsPodIpSentence,
  containerKindText,
  containerStateText,
  declaredPortsText,
  endpointStateText,
  ownerText,
  hostNetworkSentence,
  noIpYetSentence,
  pingFromNodeSentence,
  podCidrSentence,
  podDockerOverlapWarning,
  podNetworkVsDockerSentence,
  podPortConflictWarning,
  podReachableSentence,
  podSharingSentence,
  serviceCidrSentence,
  serviceMappingNote,
} from '../../../src/net/explain-kube.js';

describe('the seed facts 7–12 as general statements', () => {
  it('7: a pod IP is reachable on any port without publishing', () => {
    expect(POD_IP_NO_PUBLISHING).toMatch(/IP address of its own/);
    expect(POD_IP_NO_PUBLISHING).toMatch(/nothing is published/);
  });
  it('8: one namespace, one IP, ports must differ', () => {
    expect(POD_ONE_NAMESPACE).toMatch(/one network namespace: one IP, one set of ports/);
  });
  it('9: the pod network is not the Docker bridge', () => {
    expect(POD_NETWORK_IS_SEPARATE).toMatch(/10\.1\.0\.0\/16.*172\.17\.0\.0\/16/);
  });
  it('11 and 12', () => {
    expect(NODE_REACHES_POD_IP).toMatch(/ping <pod IP>/);
    expect(HOST_NETWORK_POD).toMatch(/compete/);
  });
});

describe('sentences with live values', () => {
  it('reachability names the IP and ports', () => {
    expect(podReachableSentence('webserver-2', '10.1.0.30', [{ port: 80, protocol: 'tcp' }])).toBe(
      'webserver-2 is 10.1.0.30: any pod or node connects to 10.1.0.30 directly on 80/tcp. Nothing has to be published inside the cluster.',
    );
    expect(podReachableSentence('p', '10.1.0.30', [])).toMatch(/on whatever its containers listen on/);
  });

  it('sharing: one container, or several that must use different ports', () => {
    expect(podSharingSentence('10.1.0.30', ['web'])).toMatch(/^Its one container, web, owns the pod IP 10\.1\.0\.30/);
    expect(podSharingSentence('10.1.0.30', ['web', 'log'])).toBe('Its containers web, log share the pod IP 10.1.0.30 and one set of ports: one network namespace, so each must listen on different ports.');
  });

  it('10: ip addr inside a container shows the pod IP', () => {
    expect(containerIpIsPodIpSentence('10.1.0.30', 'webserver-2', 'web')).toContain('`kubectl exec webserver-2 -c web -- ip addr`');
    expect(containerIpIsPodIpSentence('10.1.0.30', 'webserver-2', 'web')).toContain('shows 10.1.0.30 on eth0');
  });

  it('11: ping from the node', () => {
    expect(pingFromNodeSentence('10.1.0.30', 'docker-desktop')).toMatch(/^From docker-desktop, or any other node, `ping 10\.1\.0\.30`/);
  });

  it('12: hostNetwork names the node and its IP', () => {
    expect(hostNetworkSentence('agent-x', 'node-1', '192.0.2.21')).toContain("node-1's network namespace and its IP 192.0.2.21");
  });

  it('9: pod CIDR containment, both ways', () => {
    expect(podCidrSentence('10.244.1.5', '10.244.1.0/24', 'node-1', true)).toMatch(/is inside node-1's pod CIDR 10\.244\.1\.0\/24/);
    expect(podCidrSentence('192.168.3.4', '10.244.1.0/24', 'node-1', false)).toMatch(/is not inside .*Calico/);
    expect(podNetworkVsDockerSentence(['10.1.0.0/16'], [{ network: 'bridge', subnet: '172.17.0.0/16' }])).toBe(
      "The pod network (10.1.0.0/16) is a different subnet from Docker's 172.17.0.0/16 (bridge): pod IPs come from the cluster's network plugin, container IPs on a Docker network from Docker.",
    );
    expect(podDockerOverlapWarning({ podCidr: '10.244.1.0/24', dockerSubnet: '10.244.0.0/16', dockerNetwork: 'lab' })).toMatch(/overlaps Docker network "lab"/);
  });

  it('a pending pod is explained', () => {
    expect(noIpYetSentence('web-3', 'Pending', undefined)).toMatch(/not scheduled on a node yet, so it has no IP/);
    expect(noIpYetSentence('web-3', 'Pending', 'node-1', 'ContainerCreating')).toMatch(/^web-3 is Pending \(ContainerCreating\) on node-1 but has no IP yet/);
  });

  it('a port conflict says who and what fails', () => {
    expect(podPortConflictWarning({ port: 8080, protocol: 'tcp', members: ['a', 'b'], when: 'running' }, 'p')).toBe(
      'Port conflict in p: a and b both declare 8080/tcp. They share one network namespace, so only the first to bind it gets it; the other fails with "address already in use".',
    );
  });

  it('service mapping: port → named targetPort → pod IP:port in a container', () => {
    expect(serviceMappingNote('api', '10.96.0.10', { port: 80, protocol: 'tcp' }, { ok: true, port: 8080, protocol: 'tcp', via: 'name', portName: 'http', container: 'web' }, '10.244.1.5')).toBe(
      'Service api 10.96.0.10:80/tcp → targetPort (named "http") → 10.244.1.5:8080 in container web.',
    );
    expect(serviceMappingNote('api', undefined, { port: 80, protocol: 'tcp' }, { ok: false, portName: 'x', protocol: 'tcp', reason: 'why' }, '10.244.1.5')).toMatch(/does not resolve in this pod: why/);
  });

  it('service CIDR inference is stated as such', () => {
    expect(serviceCidrSentence({ cidr: '10.96.0.0/12', basis: 'default', who: 'kubeadm', from: 3, family: 'ipv4' })).toBe('Service CIDR: probably 10.96.0.0/12, the default of kubeadm; all 3 ClusterIPs seen fall inside it.');
    expect(serviceCidrSentence({ cidr: '172.30.0.0/21', basis: 'covering', from: 1, family: 'ipv4' })).toBe('Service CIDR: at least 172.30.0.0/21, the smallest range covering the 1 ClusterIP seen.');
  });

  it('Kubernetes objects in words: container kind and state, declared ports, endpoint conditions, owner', () => {
    expect(containerKindText({ kind: 'sidecar' })).toBe('sidecar (init container, restartPolicy: Always)');
    expect(containerStateText({ state: 'waiting', stateReason: 'CrashLoopBackOff', restartCount: 3 })).toBe('waiting (CrashLoopBackOff), 3 restarts');
    expect(containerStateText({ state: 'running', ready: true, restartCount: 1 })).toBe('running, ready, 1 restart');
    expect(containerStateText({})).toBe('no status yet');
    expect(declaredPortsText([{ name: 'http', port: 80, protocol: 'tcp' }, { port: 9090, protocol: 'tcp', hostPort: 8080 }])).toBe('http 80/tcp, 9090/tcp (hostPort 8080)');
    expect(declaredPortsText([])).toBe('—');
    expect(endpointStateText({ ready: false, serving: true, terminating: true })).toBe('terminating (still serving)');
    expect(ownerText({ kind: 'ReplicaSet', name: 'webserver-7d9c5b' })).toBe('ReplicaSet webserver-7d9c5b (Deployment webserver)');
    expect(ownerText(undefined)).toBeUndefined();
  });
});
