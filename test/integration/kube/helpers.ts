/** Shared set-up for the Kubernetes integration tests: a KubeSource on a test API server, and asking. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMMANDS } from '../../../commands/index.js';
import type { Answer } from '../../../src/core/answer.js';
import { ask } from '../../../src/core/ask.js';
import { assembleDeps, type Deps } from '../../../src/deps.js';
import { CommandRegistry } from '../../../src/core/registry.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/log.js';
import type { KubeSource, KubeSourceOptions } from '../../../src/sources/kubernetes.js';
import { createKubeSource } from '../../../src/sources/kubernetes.js';

export const registry = new CommandRegistry(COMMANDS);

/** Deps with only a Kubernetes source, reading the given kubeconfig. */
export function kubeDeps(kubeconfigPath: string, opts: KubeSourceOptions = {}, env: Record<string, string> = {}): Deps & { kube: KubeSource } {
  const config = loadConfig({ KUBECONFIG: kubeconfigPath, ...env });
  const kube = createKubeSource(config.kube, undefined, { env: {}, ...opts });
  return { ...assembleDeps({ config, log: createLogger('silent'), kube }), kube };
}

export function question(deps: Deps, text: string): Promise<Answer> {
  return ask(text, registry, deps);
}

/** The error a question fails with (fails the test if it answers). */
export async function failure(deps: Deps, text: string): Promise<unknown> {
  try {
    await ask(text, registry, deps);
  } catch (err) {
    return err;
  }
  throw new Error(`"${text}" answered instead of failing`);
}

/** Polls until `cond` holds (or fails after timeoutMs). */
export async function until(cond: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A kubeconfig whose only context points at a server URL (for unreachable-server tests). */
export async function kubeconfigFor(server: string, context = 'nowhere'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'netpeek-kubeconfig-'));
  const path = join(dir, 'kubeconfig');
  await writeFile(
    path,
    [
      'apiVersion: v1',
      'kind: Config',
      `current-context: ${context}`,
      'clusters:',
      `- name: ${context}`,
      '  cluster:',
      `    server: ${server}`,
      '    insecure-skip-tls-verify: true',
      'users:',
      `- name: ${context}`,
      '  user:',
      '    token: netpeek-test-token',
      'contexts:',
      `- name: ${context}`,
      '  context:',
      `    cluster: ${context}`,
      `    user: ${context}`,
      '    namespace: default',
      '',
    ].join('\n'),
  );
  return path;
}

/** The fact with this label. */
export function fact(answer: Answer, label: string): string | undefined {
  return answer.facts.find((f) => f.label === label)?.value;
}
