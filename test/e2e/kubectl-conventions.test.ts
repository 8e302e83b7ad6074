/**
 * kubectl's conventions in the built CLI, against the test API server (and, where kubectl prints the
 * same thing, checked against the machine's real kubectl): -l, -A, -o wide|name|json, --context with
 * its old spelling --cluster, --kubeconfig, TYPE/NAME and NS/NAME, the unknown-flag suggestion, exit codes.
 * Fixture IPs are only read, never probed: no command here sends a packet.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeNeeding } from '../support/backends.js';
import { netpeek, textTable as table } from '../support/cli.js';
import { freeTcpPort } from '../support/docker-fixtures.js';
import { namespace, node, pod, service } from '../support/kube-apiserver/fixtures.js';
import { startKubeApiServer, type KubeApiServer } from '../support/kube-apiserver/index.js';
import { runKubectl } from '../support/kube-apiserver/kubectl.js';

let api: KubeApiServer;
let other: KubeApiServer;
let dir: string;
const kube = (args: string[], env: Record<string, string> = {}) => netpeek(args, { KUBECONFIG: api.kubeconfigPath, ...env });

beforeAll(async () => {
  api = await startKubeApiServer({
    objects: [
      namespace('shop'),
      node('node-1', { internalIP: '192.0.2.41', podCIDR: '10.244.1.0/24' }),
      node('node-2', { internalIP: '192.0.2.42', podCIDR: '10.244.2.0/24' }),
      pod('web-1', { namespace: 'shop', ip: '10.244.1.11', hostIP: '192.0.2.41', nodeName: 'node-1', labels: { app: 'web', tier: 'front' } }),
      pod('web-2', { namespace: 'shop', ip: '10.244.2.12', hostIP: '192.0.2.42', nodeName: 'node-2', labels: { app: 'web', tier: 'front' }, ready: false }),
      pod('db-0', { namespace: 'shop', ip: '10.244.2.20', nodeName: 'node-2', labels: { app: 'db' }, containers: [{ name: 'postgres', image: 'postgres:16', ports: [{ name: 'pg', containerPort: 5432 }] }] }),
      pod('web-1', { namespace: 'default', ip: '10.244.1.30', nodeName: 'node-1', labels: { app: 'web' } }),
      pod('coredns-abc', { namespace: 'kube-system', ip: '10.244.1.2', nodeName: 'node-1', labels: { k8s: 'dns' } }),
      service('web', { namespace: 'shop', selector: { app: 'web' }, labels: { app: 'web' }, clusterIP: '10.96.0.20' }),
      service('db', { namespace: 'shop', selector: { app: 'db' }, labels: { app: 'db' }, ports: [{ port: 5432 }], clusterIP: '10.96.0.21' }),
    ],
  });
  other = await startKubeApiServer({ context: 'cluster-b', objects: [node('b-node', { internalIP: '192.0.2.99', podCIDR: '10.9.0.0/24' }), pod('web-1', { ip: '10.9.0.7', nodeName: 'b-node', labels: { app: 'web' } })] });
  dir = await mkdtemp(join(tmpdir(), 'netpeek-kubectl-conv-'));
});

afterAll(async () => {
  await api?.stop();
  await other?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('-l / --selector lists the matching pods', () => {
  it('pod -l app=web -n shop: each pod with its IP, node, ready count and ports', async () => {
    const r = await kube(['pod', '-l', 'app=web', '-n', 'shop']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^2 pods match app=web in namespace shop; 1 ready\.$/m);
    expect(table(r.stdout, 'Pods')).toEqual([
      ['NAME', 'READY', 'STATUS', 'IP', 'NODE', 'PORTS'],
      ['web-1', '1/1', 'Running', '10.244.1.11', 'node-1', '80/tcp'],
      ['web-2', '0/1', 'Running', '10.244.2.12', 'node-2', '80/tcp'],
    ]);
  });

  it('--selector, set-based requirements, and no match', async () => {
    const r = await kube(['pod', '--selector', 'app in (web,db),tier!=front', '--namespace=shop']);
    expect(r.code).toBe(0);
    expect(table(r.stdout, 'Pods').slice(1).map((row) => row[0])).toEqual(['db-0']);
    const none = await kube(['pod', '-l', 'app=nothing', '-n', 'shop']);
    expect(none.code).toBe(0);
    expect(none.stdout).toMatch(/^No pods match app=nothing in namespace shop\.$/m);
  });

  it('a malformed selector is refused before any API call, with the accepted forms', async () => {
    api.clearRequests();
    const r = await kube(['pod', '-l', '=web', '-n', 'shop']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^netpeek: -l =web: /);
    expect(r.stderr).toMatch(/key=value requirements joined by commas/);
    expect(api.requests.filter((q) => q.verb !== undefined)).toEqual([]);
  });

  it('-l without -n lists the context namespace, as kubectl does; svc -l matches Service labels', async () => {
    const r = await kube(['pod', '-l', 'app=web']);
    expect(r.stdout).toMatch(/in namespace default/);
    expect(table(r.stdout, 'Pods').slice(1).map((row) => [row[0], row[3]])).toEqual([['web-1', '10.244.1.30']]);
    const s = await kube(['svc', '-l', 'app=db', '-n', 'shop']);
    expect(s.code).toBe(0);
    expect(table(s.stdout, 'Services')).toEqual([['NAME', 'TYPE', 'CLUSTER IP', 'EXTERNAL IP', 'PORTS'], ['db', 'ClusterIP', '10.96.0.21', '<none>', '5432/TCP']]);
  });
});

describe('-A / --all-namespaces', () => {
  it('pod -A lists every namespace with a NAMESPACE column', async () => {
    const r = await kube(['pod', '-A']);
    expect(r.code).toBe(0);
    const rows = table(r.stdout, 'Pods');
    expect(rows[0]).toEqual(['NAMESPACE', 'NAME', 'READY', 'STATUS', 'IP', 'NODE', 'PORTS']);
    expect(rows.slice(1).map((row) => `${row[0]}/${row[1]}`)).toEqual(['default/web-1', 'kube-system/coredns-abc', 'shop/db-0', 'shop/web-1', 'shop/web-2']);
  });

  it('-A with a name looks the name up everywhere (and says which namespaces have it)', async () => {
    const r = await kube(['pod', 'web-1', '--all-namespaces']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/There is a pod "web-1" in 2 namespaces \(default, shop\)/);
  });
});

describe('-o', () => {
  it('-o name prints TYPE/NAME exactly as kubectl does', async () => {
    for (const [ours, theirs] of [
      [['pod', '-l', 'app=web', '-n', 'shop', '-o', 'name'], ['get', 'pods', '-l', 'app=web', '-n', 'shop', '-o', 'name']],
      [['pod', '-A', '-o', 'name'], ['get', 'pods', '-A', '-o', 'name']],
      [['svc', '-n', 'shop', '-A', '--output=name'], ['get', 'services', '-A', '-o', 'name']],
      [['pod', 'db-0', '-o', 'name'], ['get', 'pod', 'db-0', '-n', 'shop', '-o', 'name']],
    ] as const) {
      const r = await kube([...ours]);
      expect(r.code).toBe(0);
      const k = await runKubectl(api, [...theirs]);
      expect(k.code).toBe(0);
      expect(r.stdout).toBe(k.stdout);
    }
    expect((await kube(['pod', '-l', 'app=web', '-n', 'shop', '-o', 'name'])).stdout).toBe('pod/web-1\npod/web-2\n');
  });

  it('-o wide adds columns to listings and to a single pod', async () => {
    const r = await kube(['pod', '-l', 'app=web', '-n', 'shop', '-o', 'wide']);
    const rows = table(r.stdout, 'Pods');
    expect(rows[0]).toEqual(['NAME', 'READY', 'STATUS', 'IP', 'NODE', 'PORTS', 'IPS', 'HOST IP', 'OWNER', 'LABELS']);
    expect(rows[1]).toEqual(['web-1', '1/1', 'Running', '10.244.1.11', 'node-1', '80/tcp', '10.244.1.11', '192.0.2.41', '<none>', 'app=web,tier=front']);
    const one = await kube(['pod', 'db-0', '-o', 'wide']);
    expect(table(one.stdout, 'Containers')[0]).toEqual(['CONTAINER', 'KIND', 'PORTS', 'STATE', 'IMAGE', 'RESTARTS']);
    expect(table(one.stdout, 'Containers')[1]).toEqual(['postgres', 'app', 'pg 5432/tcp', 'running, ready', 'postgres:16', '0']);
    const plain = await kube(['pod', 'db-0']);
    expect(table(plain.stdout, 'Containers')[0]).toEqual(['CONTAINER', 'KIND', 'PORTS', 'STATE']);
  });

  it('-o json is --json: the same Answer, and JSON errors on stdout', async () => {
    const a = await kube(['pod', '-l', 'app=web', '-n', 'shop', '-o', 'json']);
    const b = await kube(['pod', '-l', 'app=web', '-n', 'shop', '--json']);
    expect(a.code).toBe(0);
    expect(JSON.parse(a.stdout)).toEqual(JSON.parse(b.stdout));
    expect(JSON.parse(a.stdout).items).toEqual([{ kind: 'pod', name: 'web-1', namespace: 'shop' }, { kind: 'pod', name: 'web-2', namespace: 'shop' }]);
    const err = await kube(['pod', 'nope-x', '-n', 'shop', '-o', 'json']);
    expect(err.code).toBe(1);
    expect(JSON.parse(err.stdout).error.code).toBe('not_found');
  });
});

describe('TYPE/NAME and NS/NAME', () => {
  it.each([
    [['pod', 'po/db-0'], '10.244.2.20'],
    [['pod', 'pod/db-0'], '10.244.2.20'],
    [['pod', 'shop/web-1'], '10.244.1.11'],
    [['pod', 'pods/shop/web-1'], '10.244.1.11'],
    [['pod', 'default/web-1'], '10.244.1.30'],
  ])('%j', async (args, ip) => {
    const r = await kube(args);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`Pod IP +${ip.replace(/\./g, '\\.')}$`, 'm'));
  });

  it('svc service/web and svc shop/web', async () => {
    for (const target of ['service/web', 'svc/web', 'shop/web']) {
      const r = await kube(['svc', target, ...(target.startsWith('shop') ? [] : ['-n', 'shop'])]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/10\.96\.0\.20/);
    }
  });

  it('a TYPE of another kind, a namespace that disagrees with -n: clear refusals', async () => {
    const a = await kube(['pod', 'svc/web']);
    expect(a.code).toBe(1);
    expect(a.stderr).toMatch(/^netpeek: "svc\/web" names a service, and pod looks up a pod\.\n {2}Ask `svc web` instead\./);
    const b = await kube(['pod', 'shop/web-1', '-n', 'default']);
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(/"shop\/web-1" says namespace shop, and -n says default; give one\./);
  });
});

describe('--context, --cluster and --kubeconfig', () => {
  it('--context picks the context; --cluster still works', async () => {
    const env = { KUBECONFIG: `${api.kubeconfigPath}:${other.kubeconfigPath}` };
    for (const flag of ['--context', '--cluster']) {
      const r = await netpeek(['pod', 'web-1', flag, 'cluster-b'], env);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Pod IP +10\.9\.0\.7$/m);
    }
    const eq = await netpeek(['pod', 'web-1', '--context=cluster-b', '-o', 'name'], env);
    expect(eq.stdout).toBe('pod/web-1\n');
    const missing = await netpeek(['pod', 'web-1', '--context', 'prod'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/There is no Kubernetes context "prod"/);
  });

  it('--kubeconfig reads that file instead of KUBECONFIG', async () => {
    const r = await netpeek(['pod', 'web-1', '--kubeconfig', other.kubeconfigPath]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Pod IP +10\.9\.0\.7$/m);
    const over = await kube(['pod', 'web-1', `--kubeconfig=${other.kubeconfigPath}`]);
    expect(over.stdout).toMatch(/Pod IP +10\.9\.0\.7$/m);
  });

  it('--kubeconfig that is missing, a directory, or has no value: exit 1 with the reason', async () => {
    const gone = await kube(['pod', 'web-1', '--kubeconfig', join(dir, 'nope.yaml')]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toBe(`netpeek: --kubeconfig ${join(dir, 'nope.yaml')}: there is no such file.\n  Give the path of a kubeconfig file, e.g. --kubeconfig ~/.kube/config\n`);
    expect((await kube(['pod', 'web-1', '--kubeconfig', dir])).stderr).toMatch(/is not a file/);
    const none = await kube(['pod', 'web-1', '--kubeconfig']);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/--kubeconfig needs the path of a kubeconfig file/);
    const noKube = await kube(['explain', 'expose', '--kubeconfig', api.kubeconfigPath]);
    expect(noKube.code).toBe(1);
    expect(noKube.stderr).toMatch(/explain does not take --kubeconfig/);
  });

  it('an API server that does not answer is exit 2', async () => {
    const port = await freeTcpPort();
    const path = join(dir, 'dead.yaml');
    await writeFile(path, readFileSync(api.kubeconfigPath, 'utf8').replace(/server: .*/, `server: http://127.0.0.1:${port}`));
    const r = await netpeek(['pod', '-l', 'app=web', '-n', 'shop', '--kubeconfig', path]);
    expect(r.stderr).toMatch(/^netpeek: /);
    expect(r.code).toBe(2);
  });
});

describe('unknown flags and exit codes', () => {
  it.each([
    [['pod', 'web-1', '--contxt', 'dev'], 'unknown flag --contxt; did you mean --context?'],
    [['pod', '--selectr', 'app=web'], 'unknown flag --selectr; did you mean --selector?'],
    [['pod', '--all-namespace'], 'unknown flag --all-namespace; did you mean --all-namespaces?'],
    [['pod', 'web-1', '--kubeconfg', 'x'], 'unknown flag --kubeconfg; did you mean --kubeconfig?'],
    [['svc', 'web', '--clustr', 'x'], 'unknown flag --clustr; did you mean --cluster?'],
  ])('%j', async (args, first) => {
    const r = await kube(args);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')[0]).toBe(`netpeek: ${first}`);
  });

  it('a listing needs -l or -A, else a name', async () => {
    const r = await kube(['pod']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^netpeek: pod needs <name\|prefix>, or -l, --selector <label query> or -A, --all-namespaces to list\./);
  });
});

describeNeeding(['kubectl'], 'the real kubectl still reads the test API server', () => {
  it('kubectl get pods -l app=web -n shop -o wide lists what netpeek lists', async () => {
    const k = await runKubectl(api, ['get', 'pods', '-l', 'app=web', '-n', 'shop', '-o', 'wide', '--no-headers']);
    expect(k.code).toBe(0);
    const theirs = k.stdout.trim().split('\n').map((l) => l.split(/\s+/)).map((c) => [c[0], c[1], c[5], c[6]]);
    const ours = table((await kube(['pod', '-l', 'app=web', '-n', 'shop'])).stdout, 'Pods').slice(1).map((c) => [c[0], c[1], c[3], c[4]]);
    expect(ours).toEqual(theirs);
  });
});
