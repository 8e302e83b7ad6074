import { describe, expect, it } from 'vitest';
import type { PodContainerPorts } from '../../../src/net/kube-ports.js';
import { describeResolution, kubeProtocol, nodePortClaims, nodePortConflicts, podPortConflicts, resolveTargetPort } from '../../../src/net/kube-ports.js';

const web: PodContainerPorts = { name: 'web', kind: 'app', ports: [{ name: 'http', port: 8080, protocol: 'tcp' }, { name: 'dns', port: 53, protocol: 'udp' }] };
const metrics: PodContainerPorts = { name: 'metrics', kind: 'app', ports: [{ name: 'metrics', port: 9090, protocol: 'tcp' }] };
const proxy: PodContainerPorts = { name: 'proxy', kind: 'sidecar', ports: [{ name: 'proxy', port: 15001, protocol: 'tcp' }, { name: 'admin', port: 9090, protocol: 'tcp' }] };
const migrate: PodContainerPorts = { name: 'migrate', kind: 'init', ports: [{ name: 'http', port: 8080, protocol: 'tcp' }] };

describe('kubeProtocol', () => {
  it('maps Kubernetes spellings and defaults to tcp', () => {
    expect([kubeProtocol('TCP'), kubeProtocol('UDP'), kubeProtocol('SCTP'), kubeProtocol(undefined)]).toEqual(['tcp', 'udp', 'sctp', 'tcp']);
  });
});

describe('podPortConflicts', () => {
  it('finds nothing when containers use different ports', () => {
    expect(podPortConflicts([web, { ...metrics, ports: [{ port: 9091, protocol: 'tcp' }] }])).toEqual([]);
  });

  it('flags two app containers on one port and protocol', () => {
    const other: PodContainerPorts = { name: 'other', kind: 'app', ports: [{ port: 8080, protocol: 'tcp' }] };
    expect(podPortConflicts([web, other])).toEqual([{ port: 8080, protocol: 'tcp', members: ['web', 'other'], when: 'running' }]);
  });

  it('does not flag the same number on different protocols', () => {
    const udp: PodContainerPorts = { name: 'other', kind: 'app', ports: [{ port: 8080, protocol: 'udp' }] };
    expect(podPortConflicts([web, udp])).toEqual([]);
  });

  it('counts a native sidecar as running next to the app containers', () => {
    expect(podPortConflicts([proxy, web, metrics])).toEqual([{ port: 9090, protocol: 'tcp', members: ['proxy', 'metrics'], when: 'running' }]);
  });

  it('lets a plain init container reuse an app port, but not a port of a sidecar started before it', () => {
    expect(podPortConflicts([migrate, web])).toEqual([]);
    const initOn9090: PodContainerPorts = { name: 'warmup', kind: 'init', ports: [{ port: 9090, protocol: 'tcp' }] };
    expect(podPortConflicts([proxy, initOn9090, { ...web }])).toEqual([{ port: 9090, protocol: 'tcp', members: ['proxy', 'warmup'], when: 'init' }]);
    expect(podPortConflicts([initOn9090, proxy, web])).toEqual([]);
  });
});

describe('resolveTargetPort', () => {
  it('resolves a named targetPort to the container port of that name', () => {
    expect(resolveTargetPort({ port: 80, protocol: 'TCP', targetPort: 'http' }, [web, metrics])).toEqual({ ok: true, port: 8080, protocol: 'tcp', via: 'name', portName: 'http', container: 'web' });
  });

  it('looks in native sidecars too, after the app containers', () => {
    expect(resolveTargetPort({ port: 15001, targetPort: 'proxy' }, [proxy, web])).toMatchObject({ ok: true, port: 15001, container: 'proxy' });
  });

  it('needs the protocol to match', () => {
    const r = resolveTargetPort({ port: 53, protocol: 'TCP', targetPort: 'dns' }, [web]);
    expect(r).toEqual({ ok: false, portName: 'dns', protocol: 'tcp', reason: 'container web names 53/udp "dns", but the Service asks for tcp' });
  });

  it('says when only an init container has the name, or nobody does', () => {
    expect(resolveTargetPort({ port: 80, targetPort: 'http' }, [migrate, metrics])).toMatchObject({ ok: false, reason: 'only init container migrate names a port "http", and init containers are not endpoints' });
    expect(resolveTargetPort({ port: 80, targetPort: 'web' }, [metrics])).toMatchObject({ ok: false, reason: 'no container of the pod declares a port named "web"' });
  });

  it('uses a number as given, declared or not, and the service port when targetPort is unset', () => {
    expect(resolveTargetPort({ port: 80, targetPort: 9090 }, [web, metrics])).toEqual({ ok: true, port: 9090, protocol: 'tcp', via: 'number', container: 'metrics' });
    expect(resolveTargetPort({ port: 80, targetPort: '7000' }, [web])).toEqual({ ok: true, port: 7000, protocol: 'tcp', via: 'number' });
    expect(resolveTargetPort({ port: 8080 }, [web])).toMatchObject({ ok: true, port: 8080, container: 'web' });
  });

  it('describes the outcome in a few words', () => {
    expect(describeResolution(resolveTargetPort({ port: 80, targetPort: 'http' }, [web]))).toBe('http → 8080 (container web)');
    expect(describeResolution(resolveTargetPort({ port: 80, targetPort: 7000 }, [web]))).toBe('7000 (not declared by any container)');
    expect(describeResolution(resolveTargetPort({ port: 80, targetPort: 'nope' }, [web]))).toBe('"nope" does not resolve: no container of the pod declares a port named "nope"');
  });
});

describe('node ports', () => {
  it('a hostNetwork pod claims every declared port; a normal pod only its hostPorts', () => {
    expect(nodePortClaims('kube-system/agent', true, [{ name: 'agent', kind: 'app', ports: [{ port: 9100, protocol: 'tcp' }] }])).toEqual([
      { pod: 'kube-system/agent', container: 'agent', how: 'hostNetwork', port: 9100, protocol: 'tcp' },
    ]);
    expect(nodePortClaims('default/web', false, [{ name: 'web', kind: 'app', ports: [{ port: 80, protocol: 'tcp', hostPort: 8080, hostIP: '192.0.2.21' }, { port: 81, protocol: 'tcp' }] }])).toEqual([
      { pod: 'default/web', container: 'web', how: 'hostPort', port: 8080, protocol: 'tcp', hostIP: '192.0.2.21' },
    ]);
  });

  it('conflicts between pods on one node, unless both bind different specific addresses', () => {
    const a = nodePortClaims('ns/a', true, [{ name: 'x', kind: 'app', ports: [{ port: 9100, protocol: 'tcp' }] }]);
    const b = nodePortClaims('ns/b', false, [{ name: 'y', kind: 'app', ports: [{ port: 80, protocol: 'tcp', hostPort: 9100 }] }]);
    expect(nodePortConflicts([...a, ...b])).toEqual([{ port: 9100, protocol: 'tcp', claims: [...a, ...b] }]);
    const c = nodePortClaims('ns/c', false, [{ name: 'y', kind: 'app', ports: [{ port: 80, protocol: 'tcp', hostPort: 7000, hostIP: '10.0.0.1' }] }]);
    const d = nodePortClaims('ns/d', false, [{ name: 'y', kind: 'app', ports: [{ port: 80, protocol: 'tcp', hostPort: 7000, hostIP: '10.0.0.2' }] }]);
    expect(nodePortConflicts([...c, ...d])).toEqual([]);
    expect(nodePortConflicts([...a])).toEqual([]);
  });
});
