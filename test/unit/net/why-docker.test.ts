import { describe, expect, it } from 'vitest';
import type { DockerClient, SlimContainer, SlimNetwork } from '../../../src/net/why-docker.js';
import { dockerRouteStep, sharedNetworks } from '../../../src/net/why-docker.js';

const net = (name: string, ip: string, isDefaultBridge = false): SlimNetwork => ({ name, driver: 'bridge', ip, isDefaultBridge });
const db: SlimContainer = { name: 'db', networks: [net('app', '10.200.0.3')], published: [] };
const web: DockerClient = { kind: 'container', name: 'web-1', networks: [net('app', '10.200.0.2')] };
const loner: DockerClient = { kind: 'container', name: 'loner', networks: [net('other', '10.201.0.2')] };

describe('sharedNetworks', () => {
  it('is the destination side of the networks both are on', () => {
    expect(sharedNetworks(web.kind === 'container' ? web.networks : [], db.networks)).toEqual([net('app', '10.200.0.3')]);
  });
});

describe('dockerRouteStep', () => {
  it('a shared network passes; different networks fail with the network to connect', () => {
    expect(dockerRouteStep(web, db, 5432).status).toBe('pass');
    expect(dockerRouteStep(loner, db, 5432)).toMatchObject({ status: 'fail', fix: 'Connect loner to network app: docker network connect app loner.' });
  });

  it('from another machine: published on every address passes, on loopback only fails with the fix, unpublished fails', () => {
    const outside: DockerClient = { kind: 'outside', ip: '192.0.2.10' };
    expect(dockerRouteStep(outside, { ...db, published: [{ port: 5432, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 15432 }] }, 5432)).toMatchObject({ status: 'pass', evidence: 'db publishes *:15432 → 5432/tcp: 192.0.2.10 (not on this Docker host) reach it through the host\'s address.' });
    const lo = dockerRouteStep(outside, { ...db, published: [{ port: 5432, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 15432 }] }, 5432);
    expect(lo).toMatchObject({ status: 'fail', fix: 'Publish on every address: -p 15432:5432 (or -p <host-ip>:15432:5432) instead of -p 127.0.0.1:….' });
    expect(dockerRouteStep(outside, db, 5432)).toMatchObject({ status: 'fail', evidence: 'db publishes no port 5432: the Docker host and containers on app reach it, 192.0.2.10 (not on this Docker host) cannot.' });
    expect(dockerRouteStep({ kind: 'anyone' }, db, 5432).status).toBe('warn');
  });

  it('from the Docker host: the bridge route, no publishing needed', () => {
    expect(dockerRouteStep({ kind: 'host' }, db, 5432)).toEqual({ id: 'route', status: 'pass', evidence: 'The Docker host reaches 10.200.0.3 on app (bridge) directly through the bridge: no publishing needed from the host itself.' });
  });
});
