import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/core/errors.js';
import { bindingScope, findPortConflicts, formatHostSide, formatPortSpec, parsePortNumber, parsePortSpec, samePort, uniquePorts } from '../../../src/net/ports.js';

describe('parsePortSpec', () => {
  it.each([
    ['80/tcp', { port: 80, protocol: 'tcp' }],
    ['53/udp', { port: 53, protocol: 'udp' }],
    ['3868/sctp', { port: 3868, protocol: 'sctp' }],
    ['8080', { port: 8080, protocol: 'tcp' }],
    [' 443/TCP ', { port: 443, protocol: 'tcp' }],
    ['65535/tcp', { port: 65535, protocol: 'tcp' }],
  ])('%s', (text, spec) => {
    expect(parsePortSpec(text)).toEqual(spec);
  });

  it.each(['0/tcp', '65536', '80/icmp', 'http', '80/tcp/x', '-1', '', '8000-8010/tcp'])('rejects %j with the accepted form', (text) => {
    expect(() => parsePortSpec(text)).toThrow(UserError);
    expect(() => parsePortSpec(text)).toThrow(/1 to 65535.*\/tcp, \/udp or \/sctp/);
  });

  it('round-trips through formatPortSpec', () => {
    expect(formatPortSpec(parsePortSpec('53/udp'))).toBe('53/udp');
  });

  it('parses port numbers strictly', () => {
    expect(parsePortNumber('8080')).toBe(8080);
    expect(parsePortNumber('')).toBeUndefined();
    expect(parsePortNumber('080a')).toBeUndefined();
    expect(parsePortNumber('99999')).toBeUndefined();
  });
});

describe('host bindings', () => {
  it('classifies who can use a binding by its host address', () => {
    expect(bindingScope('')).toBe('all');
    expect(bindingScope('0.0.0.0')).toBe('all');
    expect(bindingScope('::')).toBe('all');
    expect(bindingScope('127.0.0.1')).toBe('loopback');
    expect(bindingScope('127.0.1.1')).toBe('loopback');
    expect(bindingScope('::1')).toBe('loopback');
    expect(bindingScope('192.0.2.10')).toBe('one-address');
  });

  it('writes the host side as people type it', () => {
    expect(formatHostSide({ port: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 8080 })).toBe('127.0.0.1:8080');
    expect(formatHostSide({ port: 80, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 8080 })).toBe('*:8080');
    expect(formatHostSide({ port: 80, protocol: 'tcp', hostIp: '::1', hostPort: 8080 })).toBe('[::1]:8080');
    expect(formatHostSide({ port: 80, protocol: 'tcp', hostIp: '' })).toMatch(/not assigned/);
  });
});

describe('shared namespaces', () => {
  it('sorts and de-duplicates ports', () => {
    const ports = [{ port: 80, protocol: 'udp' as const }, { port: 53, protocol: 'tcp' as const }, { port: 80, protocol: 'tcp' as const }, { port: 80, protocol: 'udp' as const }];
    expect(uniquePorts(ports).map(formatPortSpec)).toEqual(['53/tcp', '80/tcp', '80/udp']);
    expect(samePort({ port: 80, protocol: 'tcp' }, { port: 80, protocol: 'udp' })).toBe(false);
  });

  it('finds ports that two members of one namespace both declare', () => {
    const conflicts = findPortConflicts([
      { name: 'web', ports: [{ port: 80, protocol: 'tcp' }, { port: 9100, protocol: 'tcp' }] },
      { name: 'sidecar', ports: [{ port: 80, protocol: 'tcp' }, { port: 80, protocol: 'udp' }] },
      { name: 'metrics', ports: [{ port: 9100, protocol: 'tcp' }, { port: 9100, protocol: 'tcp' }] },
    ]);
    expect(conflicts).toEqual([
      { port: 80, protocol: 'tcp', members: ['web', 'sidecar'] },
      { port: 9100, protocol: 'tcp', members: ['web', 'metrics'] },
    ]);
  });

  it('reports nothing when the ports differ', () => {
    expect(findPortConflicts([{ name: 'a', ports: [{ port: 80, protocol: 'tcp' }] }, { name: 'b', ports: [{ port: 80, protocol: 'udp' }] }])).toEqual([]);
  });
});
