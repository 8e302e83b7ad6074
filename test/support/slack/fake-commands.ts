import { setTimeout as sleep } from 'node:timers/promises';
import { help } from '../../../commands/help.js';
import { newAnswer } from '../../../src/core/answer.js';
import type { NetpeekCommand } from '../../../src/deps.js';
import { UserError } from '../../../src/core/errors.js';
import type { Flags } from '../../../src/core/query.js';
import { webserverAnswer } from '../answers.js';

/**
 * Small stand-in commands for the Slack tests: the commands are not under test, the Slack adapter is.
 * Each records its calls so a test can assert that a refused or unsigned request ran nothing.
 */
export interface CommandCall {
  command: string;
  args: string[];
  flags: Flags;
}

export interface FakeCommands {
  commands: NetpeekCommand[];
  calls: CommandCall[];
  /** Delay every answer by this many ms (to show that ack does not wait for it). */
  delayMs: number;
}

export function fakeCommands(): FakeCommands {
  const calls: CommandCall[] = [];
  const state: FakeCommands = { commands: [], calls, delayMs: 0 };
  const record = async (command: string, args: string[], flags: Flags): Promise<void> => {
    calls.push({ command, args, flags });
    if (state.delayMs) await sleep(state.delayMs);
  };

  const container: NetpeekCommand = {
    name: 'container',
    aliases: ['ctr'],
    summary: 'A Docker container: its addresses, ports and why',
    args: [{ name: '<name>', required: true }],
    flags: ['probe'],
    examples: ['container webserver-1'],
    subject: { role: 'lookup', kind: 'container' },
    sendsPackets: 'with --probe',
    probeKinds: ['icmp'],
    buttons: ['probe', 'ports', 'explain'],
    async run(query) {
      const name = query.args[0] ?? '';
      await record('container', query.args, query.flags);
      if (name === 'nope') throw new UserError('No container is named "nope".', ['Containers: webserver-1'], 'not_found');
      if (name === 'boom') throw new Error('docker socket exploded at /var/run/docker.sock line 42');
      const a = webserverAnswer();
      a.title = `container ${name}`;
      a.subject = { kind: 'container', name };
      if (query.flags.probe) a.probes.push({ kind: 'icmp', target: '172.17.0.2', ok: true, ms: 0.08, from: 'this host' });
      return a;
    },
  };

  const pod: NetpeekCommand = {
    name: 'pod',
    summary: 'A Kubernetes pod: IP, node, containers and ports',
    args: [{ name: '<name>', required: true }],
    flags: ['namespace', 'cluster', 'probe'],
    examples: ['pod webserver-2 -n shop'],
    subject: { role: 'lookup', kind: 'pod' },
    sendsPackets: 'with --probe',
    probeKinds: ['icmp', 'tcp'],
    buttons: ['probe', 'ports', 'explain'],
    async run(query) {
      const name = query.args[0] ?? '';
      await record('pod', query.args, query.flags);
      const ns = query.flags.namespace ?? 'default';
      return newAnswer('pod', `pod ${ns}/${name}`, {
        subject: { kind: 'pod', name, namespace: ns },
        summary: `${name} is at 10.244.1.7 on node worker-1.`,
        addresses: [{ network: 'pod network', family: 'ipv4', ip: '10.244.1.7', prefixLength: 24, subnet: '10.244.1.0/24' }],
        ports: [{ port: 8080, protocol: 'tcp', source: 'declared', container: 'app', note: 'Declared by app; reachable at the pod IP from any pod or node.' }],
        explanations: ['Every container in a pod shares the pod IP and its ports.'],
      });
    },
  };

  const ping: NetpeekCommand = {
    name: 'ping',
    summary: 'Probe a pod or container from its host',
    args: [{ name: '<target>', required: true }],
    flags: ['port', 'count', 'namespace'],
    examples: ['ping webserver-2 --port 80'],
    subject: { role: 'probe', kinds: ['container', 'pod', 'ip'] },
    sendsPackets: 'always',
    probeKinds: ['icmp', 'tcp'],
    async run(query) {
      const name = query.args[0] ?? '';
      await record('ping', query.args, query.flags);
      const kind = query.flags.namespace ? 'pod' : 'container';
      const port = query.flags.port;
      return newAnswer('ping', `ping ${name}`, {
        subject: { kind, name, ...(query.flags.namespace ? { namespace: query.flags.namespace } : {}) },
        summary: port ? `${name}:${port} refused the connection: nothing listens on ${port}.` : `${name} answers ICMP.`,
        probes: [
          port
            ? { kind: 'tcp', target: '172.17.0.3', port, ok: false, error: 'refused', from: 'agent on worker-1' }
            : { kind: 'icmp', target: '172.17.0.3', ok: true, ms: 0.12, from: 'agent on worker-1' },
        ],
        explanations: port ? [`A refused connection means the host answered but no process listens on port ${port}.`] : [],
      });
    },
  };

  state.commands = [help, container, pod, ping];
  return state;
}
