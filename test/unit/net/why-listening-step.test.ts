import { describe, expect, it } from 'vitest';
import type { SocketFinding } from '../../../src/net/explain-sockets.js';
import { listeningFromConnection, listeningStep, type ListeningWorkload } from '../../../src/net/why-listening-step.js';

const db: ListeningWorkload = { kind: 'container', name: 'db', others: 'other containers and the host', logs: 'docker logs db' };
const pod: ListeningWorkload = { kind: 'pod', name: 'pod shop/web', others: 'other pods and the node', logs: 'kubectl logs -n shop web --all-containers' };
const finding = (port: number, verdict: SocketFinding['verdict'], addresses: string[], container?: string): SocketFinding => ({
  port, protocol: 'tcp', verdict, addresses, declaredAs: [], warning: false, sentence: '', process: { pid: 42, command: 'postgres' }, ...(container ? { container } : {}),
});

describe('listeningStep for a Docker container', () => {
  it('passes for every address, fails for loopback only with the fix, fails for nothing with the ports that do listen', () => {
    expect(listeningStep(db, 5432, [finding(5432, 'reachable', ['0.0.0.0'])], undefined)).toMatchObject({ status: 'pass', evidence: 'db listens on 0.0.0.0:5432 (every address) (postgres, pid 42).' });
    const lo = listeningStep(db, 5432, [finding(5432, 'loopback-only-declared', ['127.0.0.1'], 'db')], undefined);
    expect(lo).toMatchObject({ status: 'fail', evidence: 'db listens on 127.0.0.1:5432 only (postgres, pid 42): only processes inside its own network namespace can connect; other containers and the host are refused.', fix: 'Make the server in db listen on 0.0.0.0:5432 (or ::) instead of 127.0.0.1.' });
    const none = listeningStep(db, 5432, [finding(5432, 'nothing-listening', []), finding(5433, 'undeclared', ['0.0.0.0']), finding(41000, 'loopback-only', ['127.0.0.11']), finding(8080, 'loopback-only-declared', ['127.0.0.1'])], undefined);
    expect(none).toMatchObject({ status: 'fail', evidence: "Nothing listens on TCP 5432 in db's network namespace: connections are refused. It listens on TCP 5433.", fix: 'Connect to a port db listens on (5433), or start the server on 5432.' });
  });

  it('one address: passes when it is the address the client uses, warns otherwise', () => {
    expect(listeningStep(db, 5432, [finding(5432, 'one-address', ['10.200.0.3'])], '10.200.0.3').status).toBe('pass');
    expect(listeningStep(db, 5432, [finding(5432, 'one-address', ['10.201.0.3'])], '10.200.0.3').status).toBe('warn');
  });
});

describe('listeningStep for a pod', () => {
  it('names the container holding a loopback-only socket, and fixes the server in that container', () => {
    expect(listeningStep(pod, 8080, [finding(8080, 'loopback-only-declared', ['127.0.0.1'], 'web')], '10.244.0.5')).toEqual({
      id: 'listening',
      status: 'fail',
      evidence: 'pod shop/web listens on 127.0.0.1:8080 only (container web: postgres, pid 42): only processes inside its own network namespace can connect; other pods and the node are refused.',
      fix: 'Make the server in container web of pod shop/web listen on 0.0.0.0:8080 (or ::) instead of 127.0.0.1.',
    });
    expect(listeningStep(pod, 8080, [finding(8080, 'loopback-only', ['::1'], 'web')], undefined).status).toBe('fail');
  });

  it('nothing on the port: fails with kubectl logs when nothing listens anywhere', () => {
    expect(listeningStep(pod, 8080, [], undefined)).toEqual({
      id: 'listening',
      status: 'fail',
      evidence: "Nothing listens on TCP 8080 in pod shop/web's network namespace: connections are refused. Nothing listens on any TCP port there.",
      fix: 'Start the server in pod shop/web, or check that it did not exit (kubectl logs -n shop web --all-containers).',
    });
  });

  it('every address passes, naming the container and process', () => {
    expect(listeningStep(pod, 9090, [finding(9090, 'reachable', ['0.0.0.0'], 'api')], undefined).evidence).toBe('pod shop/web listens on 0.0.0.0:9090 (every address) (container api: postgres, pid 42).');
  });
});

describe('listeningFromConnection', () => {
  it('passes on the accepted connection, naming the address, the port and where it came from, and says when the sockets are read', () => {
    expect(listeningFromConnection(pod, { ip: '10.244.0.5', port: 8080, from: 'node node-a' })).toEqual({
      id: 'listening',
      status: 'pass',
      evidence: "pod shop/web accepts TCP connections on 10.244.0.5:8080: the probe's connection from node node-a was accepted, so something there listens on an address other pods and the node can reach (its sockets are read when a connection fails, or with --no-probe).",
    });
  });
});
