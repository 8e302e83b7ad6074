import type { NetpeekCommand } from '../src/deps.js';
import { newAnswer } from '../src/core/answer.js';
import { explainPath, type Placement } from '../src/net/explain-path.js';
import { addProbes, probeSubject } from '../src/probe/probe-subject.js';
import type { ProbeSubject } from '../src/probe/vantage.js';
import { resolveProbeSubject } from '../src/sources/probe-targets.js';

function placement(s: ProbeSubject): Placement {
  return { kind: s.kind, name: s.name, ip: s.ip, networks: s.networks, node: s.node, hostNetwork: s.hostNetwork, world: s.vantage.kind === 'docker-host' ? 'docker' : 'cluster' };
}

export const reach: NetpeekCommand = {
  name: 'reach',
  aliases: ['path'],
  summary: 'Can A reach B? The path between two containers, pods or addresses, probed from A\'s host',
  args: [
    { name: '<from>', required: true },
    { name: '<to>', required: true },
  ],
  flags: ['namespace', 'cluster', 'port'],
  examples: ['reach web-1 db-0', 'reach webserver-1 webserver-3 --port 80', 'reach pod/web-1 pod/db-0 -n shop'],
  subject: { role: 'path', kinds: ['container', 'pod', 'ip'] },
  sendsPackets: 'always',
  probeKinds: ['icmp', 'tcp'],
  description:
    'Explains the path (same bridge, different bridges, same node, across nodes, host network, Docker to cluster) and then probes B from A\'s host: ' +
    'the same host that routes A\'s packets. The probe does not run inside A\'s own namespace.',
  async run(query, deps) {
    const resolvers = { namespace: query.flags.namespace, ...deps.probeResolvers?.(query.flags.cluster, deps) };
    const [a, b] = await Promise.all([resolveProbeSubject(query.args[0] ?? '', deps, resolvers), resolveProbeSubject(query.args[1] ?? '', deps, resolvers)]);
    const path = explainPath(placement(a), placement(b));
    const probed = await probeSubject(b, deps, { port: query.flags.port, from: a.vantage });
    const tcp = probed.facts.filter((f) => f.kind === 'tcp');
    const reachable = probed.facts.some((f) => f.ok);
    const answer = newAnswer('reach', `reach ${a.name} → ${b.name}`, {
      subject: { kind: b.kind, name: b.name },
      summary: probed.degraded
        ? `${path.direct ? 'A direct path exists' : 'There is no direct path'} from ${a.name} to ${b.name}; the live check could not run.`
        : `${a.name} → ${b.name} (${b.ip}): ${path.direct ? 'direct path' : 'no direct path'}; from ${probed.from} ${reachable ? 'it answers' : 'it does not answer'}` +
          (tcp.length ? ` (${tcp.map((f) => `${f.port} ${f.ok ? 'open' : f.error}`).join(', ')}).` : '.'),
      facts: [
        { label: 'From', value: `${a.name} ${a.ip}${a.node ? ` on ${a.node}` : ''}` },
        { label: 'To', value: `${b.name} ${b.ip}${b.node ? ` on ${b.node}` : ''}` },
        { label: 'Path', value: path.kind },
        { label: 'Probed from', value: probed.from },
      ],
      explanations: path.sentences,
    });
    if (!path.direct) answer.hints.push(`A probe from ${probed.from} reaching ${b.ip} does not mean ${a.name} can: its own network decides.`);
    addProbes(answer, probed);
    return answer;
  },
};
