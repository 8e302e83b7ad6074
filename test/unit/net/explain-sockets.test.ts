import { describe, expect, it } from 'vitest';
import { explainSockets, listenScope, portNoteFromSockets } from '../../../src/net/explain-sockets.js';
import type { OwnedSocket } from '../../../src/net/proc-sockets.js';

const sock = (address: string, port: number, extra: Partial<OwnedSocket> = {}): OwnedSocket => ({
  protocol: 'tcp', family: address.includes(':') ? 'ipv6' : 'ipv4', address, port, inode: port, ...extra,
});

describe('listenScope', () => {
  it.each([
    ['0.0.0.0', 'all'], ['::', 'all'], ['127.0.0.1', 'loopback'], ['127.0.0.11', 'loopback'], ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'], ['172.20.0.3', 'one-address'],
  ])('%s → %s', (address, scope) => {
    expect(listenScope(address)).toBe(scope);
  });
});

describe('explainSockets', () => {
  it('warns loudly when a published port is bound to 127.0.0.1 only', () => {
    const [f] = explainSockets([sock('127.0.0.1', 8080, { process: { pid: 42, command: 'httpd' } })], [{ port: 8080, protocol: 'tcp', kind: 'published' }, { port: 8080, protocol: 'tcp', kind: 'exposed' }], '172.20.0.3');
    expect(f).toMatchObject({ port: 8080, verdict: 'loopback-only-declared', warning: true, declaredAs: ['published', 'exposed'] });
    expect(f!.sentence).toContain('127.0.0.1 only');
    expect(f!.sentence).toContain('172.20.0.3:8080');
    expect(f!.sentence).toContain('published host port');
    expect(f!.sentence).toContain('0.0.0.0');
    expect(f!.sentence).toContain('httpd (pid 42)');
  });

  it('EXPOSE 80 with the server on 8080: 8080 undeclared but working, 80 declared and nothing listening', () => {
    const findings = explainSockets([sock('0.0.0.0', 8080)], [{ port: 80, protocol: 'tcp', kind: 'exposed' }], '10.0.0.5');
    expect(findings.map((f) => [f.port, f.verdict, f.warning])).toEqual([[8080, 'undeclared', false], [80, 'nothing-listening', true]]);
    expect(findings[0]!.sentence).toContain('works anyway');
    expect(findings[1]!.sentence).toMatch(/80\/tcp is exposed but nothing listens on it/);
  });

  it('a wildcard socket on a declared port is reachable; :: counts as every address', () => {
    const [f] = explainSockets([sock('::', 80)], [{ port: 80, protocol: 'tcp', kind: 'declared' }], 'fd00::5');
    expect(f).toMatchObject({ verdict: 'reachable', warning: false });
    expect(f!.sentence).toContain('[fd00::5]:80');
  });

  it('loopback plus wildcard on one port is reachable, and an undeclared loopback helper is not a warning', () => {
    const findings = explainSockets([sock('127.0.0.1', 80), sock('0.0.0.0', 80), sock('127.0.0.1', 9901)], [{ port: 80, protocol: 'tcp', kind: 'declared' }]);
    expect(findings.map((f) => [f.port, f.verdict, f.warning])).toEqual([[80, 'reachable', false], [9901, 'loopback-only', false]]);
    expect(findings[0]!.addresses).toEqual(['0.0.0.0', '127.0.0.1']);
  });

  it('matches on protocol too: 53/udp listening does not satisfy a declared 53/tcp', () => {
    const findings = explainSockets([{ ...sock('0.0.0.0', 53), protocol: 'udp' }], [{ port: 53, protocol: 'tcp', kind: 'declared' }]);
    expect(findings.map((f) => `${f.port}/${f.protocol} ${f.verdict}`)).toEqual(['53/udp undeclared', '53/tcp nothing-listening']);
  });

  it('names the container owning each port in a shared namespace, and the declaring container when nothing listens', () => {
    const findings = explainSockets(
      [sock('0.0.0.0', 80, { container: 'web', process: { pid: 10, command: 'httpd' } }), sock('0.0.0.0', 9090, { container: 'metrics', process: { pid: 20, command: 'nc' } })],
      [{ port: 80, protocol: 'tcp', kind: 'declared', container: 'web' }, { port: 6379, protocol: 'tcp', kind: 'declared', container: 'cache' }],
    );
    expect(findings.map((f) => [f.port, f.container])).toEqual([[80, 'web'], [9090, 'metrics'], [6379, 'cache']]);
    expect(findings[1]!.sentence).toContain('in metrics');
    expect(findings[2]!.sentence).toContain('by cache');
  });

  it('a server bound to one specific address says so', () => {
    const [f] = explainSockets([sock('172.20.0.3', 5432)], []);
    expect(f).toMatchObject({ verdict: 'one-address', warning: false });
    expect(f!.sentence).toContain('172.20.0.3 only');
  });
});

describe('portNoteFromSockets (the Ports table agrees with the sockets)', () => {
  const declared = [{ port: 8080, protocol: 'tcp' as const, kind: 'declared' as const }, { port: 5000, protocol: 'tcp' as const, kind: 'declared' as const }, { port: 9090, protocol: 'tcp' as const, kind: 'declared' as const }, { port: 7000, protocol: 'tcp' as const, kind: 'declared' as const }];
  const findings = explainSockets([sock('127.0.0.1', 8080), sock('0.0.0.0', 9090), sock('10.1.0.9', 7000)], declared, '10.1.0.30');

  it('loopback only: said loudly, the declaration\'s "reachable" note replaced', () => {
    expect(portNoteFromSockets({ port: 8080, protocol: 'tcp' }, findings, '10.1.0.30')).toBe(
      'LOOPBACK ONLY: the server listens on 127.0.0.1 only, so connections to 10.1.0.30:8080/tcp are refused; only processes inside the namespace reach it. Make the server listen on 0.0.0.0 (or ::).',
    );
    expect(portNoteFromSockets({ port: 8080, protocol: 'tcp' }, findings, '10.1.0.30', '192.0.2.21:18080')).toMatch(/^LOOPBACK ONLY: 192\.0\.2\.21:18080 forwards to 10\.1\.0\.30:8080\/tcp, but the server listens on 127\.0\.0\.1 only, so connections to 10\.1\.0\.30:8080\/tcp and to the host port are refused/);
  });

  it('nothing listening, and a server bound to another address than the pod IP', () => {
    expect(portNoteFromSockets({ port: 5000, protocol: 'tcp' }, findings, '10.1.0.30')).toBe('NOTHING LISTENS: no socket is bound to 5000/tcp in the namespace, so connections to 10.1.0.30:5000/tcp are refused.');
    expect(portNoteFromSockets({ port: 7000, protocol: 'tcp' }, findings, '10.1.0.30')).toBe('The server listens on 10.1.0.9 only, not on 10.1.0.30: connections to 10.1.0.30:7000/tcp are refused.');
  });

  it('a port the sockets confirm (or do not know) keeps its own note', () => {
    expect(portNoteFromSockets({ port: 9090, protocol: 'tcp' }, findings, '10.1.0.30')).toBeUndefined();
    expect(portNoteFromSockets({ port: 9090, protocol: 'udp' }, findings, '10.1.0.30')).toBeUndefined();
    expect(portNoteFromSockets({ port: 7000, protocol: 'tcp' }, explainSockets([sock('10.1.0.30', 7000)], declared, '10.1.0.30'), '10.1.0.30')).toBeUndefined();
  });
});
