import { newAnswer, type Answer, type PortFact } from '../../src/core/answer.js';

/** A realistic container answer, shaped like what commands/container.ts produces for the seed example. */
export function webserverAnswer(): Answer {
  return newAnswer('container', 'container webserver-1', {
    subject: { kind: 'container', name: 'webserver-1', id: '3f2a9c0d1e4b' },
    summary: 'webserver-1 is at 172.17.0.2 on the default bridge: this Docker host reaches it on any port it listens on, without publishing.',
    facts: [
      { label: 'State', value: 'running' },
      { label: 'Image', value: 'nginxdemos/hello' },
      { label: 'Network mode', value: 'bridge' },
    ],
    addresses: [
      { network: 'bridge', driver: 'bridge', family: 'ipv4', ip: '172.17.0.2', prefixLength: 16, subnet: '172.17.0.0/16', gateway: '172.17.0.1', broadcast: '172.17.255.255', mac: '02:42:ac:11:00:02' },
    ],
    ports: [
      { port: 80, protocol: 'tcp', source: 'expose', note: 'EXPOSE only documents the port; it changes nothing about who can connect.' },
      { port: 80, protocol: 'tcp', source: 'publish', hostIp: '127.0.0.1', hostPort: 8080, note: '127.0.0.1:8080 on the host forwards to 172.17.0.2:80.' },
    ],
    sharing: { mode: 'own', with: [], note: 'webserver-1 has its own network namespace, joined to the bridge by a veth pair.' },
    explanations: ['Containers on a bridge network get a private address that the Docker host can reach directly.'],
    hints: ['ping webserver-1 --port 80'],
    warnings: [],
  });
}

/** An answer far beyond Slack's limits: 300 ports and long notes. */
export function hugeAnswer(ports = 300): Answer {
  const many: PortFact[] = Array.from({ length: ports }, (_, i) => ({
    port: 10000 + i,
    protocol: 'tcp',
    source: 'declared',
    container: `sidecar-${i % 7}`,
    note: `Declared by sidecar-${i % 7}; reachable at the pod IP on this port from any pod or node. ${'x'.repeat(60)}`,
  }));
  return newAnswer('pod', `pod ${'very-long-name-'.repeat(20)}`, {
    summary: 's'.repeat(5000),
    facts: Array.from({ length: 25 }, (_, i) => ({ label: `fact ${i}`, value: 'v'.repeat(2500) })),
    ports: many,
    explanations: Array.from({ length: 80 }, (_, i) => `Explanation ${i}: ${'e'.repeat(200)}`),
    warnings: Array.from({ length: 60 }, (_, i) => `Warning ${i}`),
    hints: Array.from({ length: 30 }, (_, i) => `hint ${i}`),
    tables: Array.from({ length: 30 }, (_, i) => ({ title: `Table ${i}`, columns: ['a', 'b'], rows: [[`${i}`, 'x']] })),
  });
}
