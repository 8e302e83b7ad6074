/**
 * Shell completion through the real shells and the built CLI: `netpeek completion bash|zsh|fish` sourced
 * into bash, zsh and fish, which call the hidden `netpeek __complete`. Candidates are what a user would
 * see: commands, flags, explain topics, the test API server's pods, Services, nodes and namespaces, the
 * names of real Docker containers made here. Nothing is probed: completion only lists names.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCKER, SHELL_COMPLETION, describeNeeding } from '../support/backends.js';
import { netpeek } from '../support/cli.js';
import { BUSYBOX_IMAGE, docker, ensureBusyboxImages, uniqueName } from '../support/docker-fixtures.js';
import { namespace, node, pod, service } from '../support/kube-apiserver/fixtures.js';
import { startKubeApiServer, type KubeApiServer } from '../support/kube-apiserver/index.js';
import { bashComplete, bashInPty, bashWords, fishComplete, zshComplete } from '../support/shells.js';
import { TOPICS } from '../../src/net/topics.js';

let api: KubeApiServer;
let other: KubeApiServer;
let dir: string;
let bothConfigs: string;
const kube = () => ({ KUBECONFIG: api.kubeconfigPath });

beforeAll(async () => {
  api = await startKubeApiServer({
    namespace: 'shop',
    objects: [
      namespace('shop'),
      node('node-1', { internalIP: '192.0.2.61', podCIDR: '10.244.1.0/24' }),
      node('node-2', { internalIP: '192.0.2.62', podCIDR: '10.244.2.0/24' }),
      pod('web-1', { namespace: 'shop', ip: '10.244.1.11', nodeName: 'node-1', labels: { app: 'web' } }),
      pod('web-2', { namespace: 'shop', ip: '10.244.2.12', nodeName: 'node-2', labels: { app: 'web' } }),
      pod('db-0', { namespace: 'shop', ip: '10.244.2.20', nodeName: 'node-2', labels: { app: 'db' } }),
      pod('coredns-abc', { namespace: 'kube-system', ip: '10.244.1.2', nodeName: 'node-1' }),
      service('web', { namespace: 'shop', selector: { app: 'web' }, clusterIP: '10.96.0.20' }),
      service('db', { namespace: 'shop', selector: { app: 'db' }, ports: [{ port: 5432 }], clusterIP: '10.96.0.21' }),
    ],
  });
  other = await startKubeApiServer({ context: 'cluster-b', objects: [pod('batch-7', { ip: '10.9.0.7' })] });
  dir = await mkdtemp(join(tmpdir(), 'netpeek-completion-'));
  bothConfigs = `${api.kubeconfigPath}:${other.kubeconfigPath}`;
});

afterAll(async () => {
  await api?.stop();
  await other?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('netpeek completion <shell>', () => {
  it('a shell it has no script for is refused with the three it has and an example', async () => {
    const r = await netpeek(['completion', 'tcsh']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('netpeek completion has no script for "tcsh".\nShells: bash, zsh, fish\nExample: source <(netpeek completion bash)\n');
    const none = await netpeek(['completion']);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^netpeek completion needs the name of your shell\.\nShells: bash, zsh, fish\n/);
  });

  it('each script registers a completion for netpeek that calls `netpeek __complete`', async () => {
    for (const shell of ['bash', 'zsh', 'fish']) {
      const r = await netpeek(['completion', shell]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('netpeek __complete');
    }
    expect((await netpeek(['completion', 'bash'])).stdout).toMatch(/^complete .*-F _netpeek netpeek/m);
  });

  it('__complete answers one candidate a line with its description, then the directive', async () => {
    const r = await netpeek(['__complete', 'pod', '--cont']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('--context\tKubernetes context to ask (from the kubeconfig; --cluster is an alias)\n:4\n');
    expect((await netpeek(['__complete', 'pod', '--kubeconfig', ''])).stdout).toBe(':0\n');
  });
});

describeNeeding(SHELL_COMPLETION, 'bash completes netpeek', () => {
  it('splits the words as readline does ("=" is a word of its own)', () => {
    expect(bashWords('netpeek pod --namespace=sh')).toEqual(['netpeek', 'pod', '--namespace', '=', 'sh']);
    expect(bashWords('netpeek pod ')).toEqual(['netpeek', 'pod', '']);
  });

  it('commands, with the terminal ones (console, completion)', async () => {
    const all = await bashComplete('netpeek ', kube());
    expect(all).toEqual(expect.arrayContaining(['pod', 'svc', 'container', 'ping', 'reach', 'explain', 'why', 'console', 'completion']));
    expect(await bashComplete('netpeek re', kube())).toEqual(['reach', 'report']);
    expect(await bashComplete('netpeek completion ')).toEqual(['bash', 'zsh', 'fish']);
  });

  it('flags of the command only, from the registry, and not those already given', async () => {
    expect(await bashComplete('netpeek pod --c')).toEqual(['--context']);
    expect(await bashComplete('netpeek ping --c')).toEqual(['--context', '--count']);
    const pod = await bashComplete('netpeek pod -n shop --');
    expect(pod).toEqual(expect.arrayContaining(['--all-namespaces', '--selector', '--context', '--kubeconfig', '--probe', '--output', '--json', '--help']));
    expect(pod).not.toContain('--namespace');
    expect(pod).not.toContain('--port');
    expect(await bashComplete('netpeek pod -o ')).toEqual(['json', 'wide', 'name']);
    expect(await bashComplete('netpeek pod --output=w')).toEqual(['wide']);
  });

  it('explain topics', async () => {
    expect(await bashComplete('netpeek explain ')).toEqual(TOPICS.map((t) => t.id));
    expect(await bashComplete('netpeek explain pu')).toEqual(['publish']);
  });

  it('pod names from the API server: the context\'s namespace, -n, --namespace=, NS/NAME, TYPE/NAME, -A', async () => {
    expect(await bashComplete('netpeek pod ', kube())).toEqual(['db-0', 'web-1', 'web-2']);
    expect(await bashComplete('netpeek pod -n kube-system ', kube())).toEqual(['coredns-abc']);
    expect(await bashComplete('netpeek pod --namespace=kube-system c', kube())).toEqual(['coredns-abc']);
    expect(await bashComplete('netpeek pod kube-system/', kube())).toEqual(['kube-system/coredns-abc']);
    expect(await bashComplete('netpeek ping pod/we', kube())).toEqual(['pod/web-1', 'pod/web-2']);
    expect(await bashComplete('netpeek pod -A ', kube())).toEqual(expect.arrayContaining(['web-1', 'db-0', 'coredns-abc']));
  });

  it('Services, nodes, namespaces and contexts', async () => {
    expect(await bashComplete('netpeek svc ', kube())).toEqual(['db', 'web']);
    expect(await bashComplete('netpeek node ', kube())).toEqual(['node-1', 'node-2']);
    expect(await bashComplete('netpeek pod -n ', kube())).toEqual(['default', 'kube-node-lease', 'kube-public', 'kube-system', 'shop']);
    expect(await bashComplete('netpeek pod --namespace=s', kube())).toEqual(['shop']);
    expect(await bashComplete('netpeek why svc/', kube())).toEqual(['svc/db', 'svc/web']);
    expect(await bashComplete('netpeek pod --context ', { KUBECONFIG: bothConfigs })).toEqual(['netpeek-test', 'cluster-b']);
    // The context on the line is the one asked.
    expect(await bashComplete('netpeek pod --context cluster-b ', { KUBECONFIG: bothConfigs })).toEqual(['batch-7']);
  });

  it('changes takes TYPE/NAME only: the types first (no space after them), then the names', async () => {
    expect(await bashComplete('netpeek changes ', kube())).toEqual(['pod/', 'svc/', 'node/']);
    expect(await bashComplete('netpeek changes node/', kube())).toEqual(['node/node-1', 'node/node-2']);
  });

  it('an API server that accepts and never answers: no names, the flags still, and no hang', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((s) => void sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const port = (silent.address() as { port: number }).port;
    const config = join(dir, 'silent.yaml');
    await writeFile(
      config,
      `apiVersion: v1\nkind: Config\nclusters: [{name: s, cluster: {server: "http://127.0.0.1:${port}"}}]\nusers: [{name: s, user: {token: t}}]\ncontexts: [{name: s, context: {cluster: s, user: s}}]\ncurrent-context: s\n`,
    );
    try {
      expect(await bashComplete('netpeek pod ', { KUBECONFIG: config })).toEqual([]);
      expect(await bashComplete('netpeek pod --sel', { KUBECONFIG: config })).toEqual(['--selector']);
      expect(sockets.length).toBeGreaterThan(0);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });

  it('in a pty: readline completes the typed line on TAB', async () => {
    expect(await bashInPty('netpeek explain pu', kube())).toBe('netpeek explain publish .');
    expect(await bashInPty('netpeek pod -n shop d', kube())).toBe('netpeek pod -n shop db-0 .');
    expect(await bashInPty('netpeek pod --con', kube())).toBe('netpeek pod --context .');
    // A type is the start of a word: no space after it.
    expect(await bashInPty('netpeek changes no', kube())).toBe('netpeek changes node/.');
  });
});

describeNeeding(SHELL_COMPLETION, 'zsh completes netpeek (zpty, compinit, TAB)', () => {
  it('commands, flags, topics and pod names', async () => {
    expect(await zshComplete('netpeek re', kube())).toEqual(['reach', 'report']);
    expect(await zshComplete('netpeek pod --c', kube())).toEqual(['--context']);
    expect(await zshComplete('netpeek explain pu', kube())).toEqual(['publish']);
    expect(await zshComplete('netpeek pod ', kube())).toEqual(['db-0', 'web-1', 'web-2']);
    expect(await zshComplete('netpeek svc -n shop --namespace', kube())).toEqual([]);
    expect(await zshComplete('netpeek pod --namespace=kube-s', kube())).toEqual(['--namespace=kube-system']);
  });
});

describeNeeding(SHELL_COMPLETION, 'fish completes netpeek (complete -C)', () => {
  it('commands with their summaries, flags, topics and pod names', async () => {
    const commands = await fishComplete('netpeek po', kube());
    expect(commands.map(([w]) => w)).toEqual(['pod', 'policy']);
    expect(commands[0]![1]).toMatch(/^A pod's IPs, node and pod CIDR/);
    expect((await fishComplete('netpeek pod --con', kube())).map(([w]) => w)).toEqual(['--context']);
    expect((await fishComplete('netpeek explain pu', kube())).map(([w]) => w)).toEqual(['publish']);
    expect(await fishComplete('netpeek pod -n shop w', kube())).toEqual([
      ['web-1', 'pod'],
      ['web-2', 'pod'],
    ]);
  });
});

describeNeeding([...SHELL_COMPLETION, ...DOCKER], 'container names from the Docker engine', () => {
  // Two names with a prefix of their own: netpeek-test-<random>-cmpl-a and -b.
  const prefix = `${uniqueName('cmpl')}-`;
  const a = `${prefix}a`;
  const b = `${prefix}b`;
  beforeAll(async () => {
    await ensureBusyboxImages();
    for (const name of [a, b]) await docker('run', '-d', '--name', name, BUSYBOX_IMAGE);
  }, 120_000);
  afterAll(() => docker('rm', '-f', a, b).catch(() => undefined));

  it('container, ping and reach complete the containers this test made, in all three shells', async () => {
    expect((await bashComplete(`netpeek container ${prefix}`)).sort()).toEqual([a, b]);
    expect(await bashComplete(`netpeek ping --from ${prefix}a`)).toEqual([a]);
    expect(await bashComplete(`netpeek reach ${a} ${prefix}b`, kube())).toEqual([b]);
    expect(await bashComplete(`netpeek ping container/${prefix}b`)).toEqual([`container/${b}`]);
    expect(await zshComplete(`netpeek container ${prefix}a`)).toEqual([a]);
    expect(await fishComplete(`netpeek container ${prefix}b`)).toEqual([[b, 'container']]);
  });
});
