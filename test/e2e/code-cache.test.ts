/**
 * Issue 19: the binary answers backend commands from one-shot.cjs with a V8 code cache, written after the
 * first answer in $XDG_CACHE_HOME/netpeek/code (src/start/code-cache.ts). The answers must not depend on
 * it: the same with no cache, a cache, a cache V8 refuses, and a cache directory that cannot be written.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { netpeek, type CliResult } from '../support/cli.js';
import { node, pod } from '../support/kube-apiserver/fixtures.js';
import { startKubeApiServer, type KubeApiServer } from '../support/kube-apiserver/index.js';

const home = mkdtempSync(join(tmpdir(), 'netpeek-code-cache-'));
const cacheDir = join(home, 'netpeek', 'code');
let api: KubeApiServer;
let env: Record<string, string>;

beforeAll(async () => {
  api = await startKubeApiServer({
    namespaces: ['default', 'shop'],
    objects: [node('node-1', { podCIDR: '10.244.1.0/24', internalIP: '10.0.0.11' }), pod('web-1', { namespace: 'shop', ip: '10.244.1.5', nodeName: 'node-1', hostIP: '10.0.0.11' })],
  });
  // The pod IP is a fixture address: evaluated, never probed.
  env = { KUBECONFIG: api.kubeconfigPath, DOCKER_HOST: 'unix:///nonexistent/docker.sock', XDG_CACHE_HOME: home };
});

afterAll(async () => {
  await api?.stop();
  rmSync(home, { recursive: true, force: true });
});

const podCaches = () => readdirSync(cacheDir).filter((f) => f.endsWith('-pod.v8'));
const answered = (r: CliResult) => {
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout;
};

describe('the code cache of one-shot answers (issue 19)', () => {
  it('is written after the first answer, read by the next without being written again, and the answers are the same', async () => {
    const first = answered(await netpeek(['pod', 'web-1', '-n', 'shop'], env));
    expect(first).toMatch(/^pod web-1\n/);
    const [cache] = podCaches();
    expect(cache).toMatch(new RegExp(`^[0-9a-f]{16}-${process.version}-${process.arch}-pod\\.v8$`));
    const written = statSync(join(cacheDir, cache!));
    const again = answered(await netpeek(['pod', 'web-1', '-n', 'shop'], env));
    expect(again).toBe(first);
    // Accepted by V8: a refused cache is replaced (a new file renamed over it).
    expect(statSync(join(cacheDir, cache!)).ino).toBe(written.ino);
    // --json through the cached code is the same too.
    const json = await netpeek(['pod', 'web-1', '-n', 'shop', '--json'], { ...env, XDG_CACHE_HOME: join(home, 'json') });
    expect(answered(await netpeek(['pod', 'web-1', '-n', 'shop', '--json'], { ...env, XDG_CACHE_HOME: join(home, 'json') }))).toBe(answered(json));
  });

  it('a cache V8 refuses is compiled around and replaced; other builds\' caches are deleted once a day old', async () => {
    const [cache] = podCaches();
    const before = answered(await netpeek(['pod', 'web-1', '-n', 'shop'], env));
    writeFileSync(join(cacheDir, cache!), 'not a V8 code cache');
    const older = join(cacheDir, `0000000000000000-${process.version}-${process.arch}-pod.v8`);
    const recent = join(cacheDir, `1111111111111111-${process.version}-${process.arch}-pod.v8`);
    writeFileSync(older, 'an older build');
    writeFileSync(recent, 'another install, used today');
    const twoDaysAgo = new Date(Date.now() - 48 * 3600_000);
    utimesSync(older, twoDaysAgo, twoDaysAgo);
    expect(answered(await netpeek(['pod', 'web-1', '-n', 'shop'], env))).toBe(before);
    expect(existsSync(older)).toBe(false);
    expect(existsSync(recent)).toBe(true);
    expect(statSync(join(cacheDir, cache!)).size).toBeGreaterThan(10_000);
  });

  it('a cache directory that cannot be made changes nothing but speed', async () => {
    const blocked = join(home, 'a-file');
    writeFileSync(blocked, '');
    const expected = answered(await netpeek(['pod', 'web-1', '-n', 'shop'], env));
    expect(answered(await netpeek(['pod', 'web-1', '-n', 'shop'], { ...env, XDG_CACHE_HOME: blocked }))).toBe(expected);
  });
});
