import { describe, expect, it } from 'vitest';
import type { DockerClient, SlimContainer, SlimNetwork } from '../../../src/net/why-docker.js';
import { dockerResolveStep, type LiveNameLookup } from '../../../src/net/why-docker-resolve.js';

const net = (name: string, ip: string, isDefaultBridge = false): SlimNetwork => ({ name, driver: 'bridge', ip, isDefaultBridge });
const db: SlimContainer = { name: 'db', networks: [net('app', '10.200.0.3')], published: [] };
const web: DockerClient = { kind: 'container', name: 'web-1', networks: [net('app', '10.200.0.2')] };
const loner: DockerClient = { kind: 'container', name: 'loner', networks: [net('other', '10.201.0.2')] };
const lookup = (tried: LiveNameLookup['tried'], denied: string[] = []): { kind: 'looked-up'; lookup: LiveNameLookup } => ({
  kind: 'looked-up',
  lookup: { from: 'inside web-1', tried, nameservers: ['127.0.0.11'], denied },
});

describe('dockerResolveStep by Docker\'s rules (no lookup)', () => {
  it('passes on a shared user-defined network, naming it and the address', () => {
    expect(dockerResolveStep(web, db)).toEqual({ id: 'resolve', status: 'pass', evidence: "db resolves from web-1 through Docker's DNS on network app to 10.200.0.3." });
  });

  it('fails on the default bridge, where names do not resolve', () => {
    const onBridge: SlimContainer = { ...db, networks: [net('bridge', '172.17.0.3', true)] };
    const s = dockerResolveStep({ kind: 'container', name: 'web-1', networks: [net('bridge', '172.17.0.2', true)] }, onBridge, { kind: 'not-looked-up', reason: 'NETPEEK_WORKLOAD_VANTAGE is off' })!;
    expect(s.status).toBe('fail');
    expect(s.evidence).toContain('share only the default bridge');
    expect(s.fix).toContain('use db\'s address 172.17.0.3');
  });

  it('warns (the route step decides) without a shared network; skips for the host; absent without a client', () => {
    expect(dockerResolveStep(loner, db)!.status).toBe('warn');
    expect(dockerResolveStep({ kind: 'host' }, db)!.status).toBe('skip');
    expect(dockerResolveStep({ kind: 'anyone' }, db)).toBeUndefined();
  });

  it('a pass it could not look up is a skip with the reason, keeping what the rules say', () => {
    expect(dockerResolveStep(web, db, { kind: 'not-looked-up', reason: 'NETPEEK_WORKLOAD_VANTAGE is off' })).toEqual({
      id: 'resolve',
      status: 'skip',
      evidence: "Not checked: db was not looked up from inside web-1 (NETPEEK_WORKLOAD_VANTAGE is off); by Docker's rules it resolves there: db resolves from web-1 through Docker's DNS on network app to 10.200.0.3.",
    });
  });
});

describe('dockerResolveStep from a live lookup inside the client', () => {
  it('passes when the answer is the destination\'s address, naming the network and the query', () => {
    expect(dockerResolveStep(web, db, lookup([{ name: 'db.', outcome: 'answer', answers: ['10.200.0.3'], ms: 0.4 }]))).toEqual({
      id: 'resolve',
      status: 'pass',
      evidence: 'db resolves from inside web-1 to 10.200.0.3, its address on network app (live query for db. to 127.0.0.11, 0.4 ms).',
    });
  });

  it('fails when the name answers for something else', () => {
    const s = dockerResolveStep(web, db, lookup([{ name: 'db.', outcome: 'answer', answers: ['10.200.0.9'] }]))!;
    expect(s.status).toBe('fail');
    expect(s.evidence).toBe('db resolves from inside web-1 to 10.200.0.9 (as db.), which is not an address of container db (10.200.0.3): the name answers for something else.');
  });

  it('fails without a shared network, with the network to connect', () => {
    const s = dockerResolveStep(loner, db, { kind: 'looked-up', lookup: { from: 'inside loner', tried: [{ name: 'db.', outcome: 'timeout', answers: [] }], nameservers: ['127.0.0.11'], denied: [] } })!;
    expect(s).toEqual({
      id: 'resolve',
      status: 'fail',
      evidence: "db does not resolve from inside loner (db. no answer before the timeout): Docker's DNS answers only names of containers on the asker's own networks, and loner (on other) shares none with db (on app).",
      fix: 'Connect loner to network app: docker network connect app loner.',
    });
  });

  it('fails on a shared network too when the lookup says so, pointing at the resolver', () => {
    const s = dockerResolveStep(web, db, lookup([{ name: 'db.', outcome: 'nxdomain', answers: [] }]))!;
    expect(s.status).toBe('fail');
    expect(s.evidence).toBe('db does not resolve from inside web-1 (db. NXDOMAIN) although both are on network app; its resolver is 127.0.0.11.');
  });

  it('nothing could be asked (the nameserver is outside the allow-list): a pass by the rules is a skip, a failure by the rules stands', () => {
    const denied = lookup([{ name: 'db.', outcome: 'denied', answers: [] }], ['10.255.255.53']);
    expect(dockerResolveStep(web, db, denied)).toEqual({ id: 'resolve', status: 'skip', evidence: "Not checked: web-1's nameserver 10.255.255.53 is outside the probe allow-list, so no DNS query was sent from inside it." });
    const onBridge: SlimContainer = { ...db, networks: [net('bridge', '172.17.0.3', true)] };
    expect(dockerResolveStep({ kind: 'container', name: 'web-1', networks: [net('bridge', '172.17.0.2', true)] }, onBridge, denied)!.status).toBe('fail');
  });
});
