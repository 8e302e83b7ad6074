/**
 * The built `netpeek why` binary against the test API server: --json carries `diagnosis`; a failed step
 * exits 4, a healthy path 0, bad input 1 with a message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpointSlice, namespace, pod, service } from '../support/kube-apiserver/fixtures.js';
import { startKubeApiServer, type KubeApiServer } from '../support/kube-apiserver/index.js';
import { netpeek } from '../support/cli.js';

let api: KubeApiServer;
let env: Record<string, string>;

beforeAll(async () => {
  api = await startKubeApiServer({
    objects: [
      namespace('shop'),
      pod('cart-1', { namespace: 'shop', ip: '10.244.1.10', nodeName: 'node-1', labels: { app: 'cart' }, containers: [{ name: 'app', ports: [{ name: 'web', containerPort: 8080 }] }] }),
      service('cart', { namespace: 'shop', selector: { app: 'cart' }, clusterIP: '10.96.0.80', ports: [{ port: 80, targetPort: 'http' }] }),
      endpointSlice('cart-x1', { namespace: 'shop', serviceName: 'cart', ports: [{ port: 8080 }], endpoints: [] }),
      // A healthy Service: every step that applies passes or is skipped (no probe: --no-probe).
      pod('web-1', { namespace: 'shop', ip: '10.244.1.11', nodeName: 'node-1', labels: { app: 'web' }, containers: [{ name: 'app', ports: [{ name: 'http', containerPort: 8080 }] }] }),
      service('web', { namespace: 'shop', selector: { app: 'web' }, clusterIP: '10.96.0.81', ports: [{ port: 80, targetPort: 'http' }] }),
      endpointSlice('web-x1', { namespace: 'shop', serviceName: 'web', ports: [{ name: 'http', port: 8080 }], endpoints: [{ ip: '10.244.1.11', podName: 'web-1', nodeName: 'node-1' }] }),
    ],
  });
  // No Docker engine here: the answer needs only the Kubernetes API.
  env = { KUBECONFIG: api.kubeconfigPath, DOCKER_HOST: 'unix:///nonexistent/docker.sock' };
});

afterAll(async () => {
  await api?.stop();
});

describe('netpeek why (the binary)', () => {
  it('--json prints the Answer with diagnosis in the issue\'s shape, broken at target-port', async () => {
    const r = await netpeek(['why', 'svc/shop/cart', '--port', '80', '--json'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(4);
    const answer = JSON.parse(r.stdout);
    expect(answer.command).toBe('why');
    expect(Object.keys(answer.diagnosis)).toEqual(['firstFailure', 'steps']);
    expect(answer.diagnosis.firstFailure).toBe('target-port');
    expect(answer.diagnosis.steps.map((s: { id: string }) => s.id)).toEqual(['service', 'selector', 'target-port', 'endpoints', 'listening', 'policy', 'probe']);
    const tp = answer.diagnosis.steps[2];
    expect(tp).toEqual({
      id: 'target-port',
      status: 'fail',
      evidence: 'Service cart sends port 80 to targetPort `http`, but no container of the 1 selected pod declares a port named `http` — they declare `web` (8080).',
      fix: 'Set targetPort to 8080 or name the port http.',
    });
    expect(answer.summary).toMatch(/^Broken at target-port: /);
  });

  it('text output leads with the verdict sentence, then the checklist', async () => {
    const r = await netpeek(['why', 'cart.shop.svc.cluster.local'], env);
    expect(r.code).toBe(4);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('why cart.shop.svc.cluster.local');
    expect(lines[1]).toMatch(/^Broken at target-port: Service cart sends port 80 to targetPort `http`/);
    expect(lines.slice(3, 5)).toEqual(['Checks', '  ✓ resolve: cart.shop.svc.cluster.local is Service shop/cart; cluster DNS answers 10.96.0.80 — read from the API, not a live DNS query.']);
  });

  it('a healthy path exits 0, with --json and in text', async () => {
    const json = await netpeek(['why', 'svc/shop/web', '--port', '80', '--no-probe', '--json'], env);
    expect(json.stderr).toBe('');
    expect(json.code).toBe(0);
    const answer = JSON.parse(json.stdout);
    expect(answer.diagnosis.firstFailure).toBeNull();
    expect(answer.diagnosis.steps.filter((s: { status: string }) => s.status === 'fail')).toEqual([]);
    const text = await netpeek(['why', 'svc/shop/web', '--port', '80', '--no-probe'], env);
    expect(text.code).toBe(0);
    expect(text.stdout.split('\n')[1]).toMatch(/^No broken step found: /);
  });

  it('a failed step exits 4 in text too, and a missing Service is a failed step (4), not a bad question (1)', async () => {
    const broken = await netpeek(['why', 'svc/shop/cart', '--no-probe'], env);
    expect(broken.code).toBe(4);
    expect(broken.stderr).toBe('');
    const missing = await netpeek(['why', 'svc/shop/crat', '--no-probe', '--json'], env);
    expect(missing.code).toBe(4);
    expect(JSON.parse(missing.stdout).diagnosis.firstFailure).toBe('service');
  });

  it('help why documents the exit codes', async () => {
    const r = await netpeek(['help', 'why'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/exits 4 when a step fails/);
  });

  it.each([
    [['why'], /why needs <from\|target>/],
    [['why', 'svc/cart', '--port', 'eighty'], /--port must be a whole number from 1 to 65535; got "eighty"/],
    [['why', 'svc/a/b/c'], /"svc\/a\/b\/c" is not a Service reference/],
  ])('bad input %j exits 1 with a clear message and no stack trace', async (args, message) => {
    const r = await netpeek(args, env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at .*\.js:\d+/);
  });
});
