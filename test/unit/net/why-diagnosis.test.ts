import { describe, expect, it } from 'vitest';
import type { SlimPod, SlimService } from '../../../src/net/why-diagnosis.js';
import { diagnose, notReadyReason, selectorNearMisses, serviceSteps, skipStep, verdictSentence, withRerunSteps } from '../../../src/net/why-diagnosis.js';

const pod = (name: string, labels: Record<string, string>, extra: Partial<SlimPod> = {}): SlimPod => ({
  name,
  namespace: 'shop',
  labels,
  containers: [{ name: 'app', kind: 'app', ports: [{ name: 'web', port: 8080, protocol: 'tcp' }] }],
  phase: 'Running',
  ready: true,
  ...extra,
});
const cart: SlimService = { name: 'cart', namespace: 'shop', type: 'ClusterIP', selector: { app: 'cart' }, ports: [{ name: 'http', port: 80, targetPort: 'web' }] };
const pods = [pod('cart-1', { app: 'cart' }), pod('cart-2', { app: 'cart' }), pod('cart-3', { app: 'cart' })];
const asked = { name: 'cart', namespace: 'shop', port: 80 };
const run = (service: SlimService | undefined, ps: SlimPod[] = pods, port?: number) =>
  diagnose(serviceSteps({ service, asked: { ...asked, ...(port !== undefined ? { port } : {}) }, pods: ps }));

describe('serviceSteps', () => {
  it('passes every step of a healthy Service', () => {
    const d = run(cart);
    expect(d.firstFailure).toBeNull();
    expect(d.steps.map((s) => [s.id, s.status])).toEqual([['service', 'pass'], ['selector', 'pass'], ['target-port', 'pass'], ['endpoints', 'pass']]);
    expect(d.steps[2]!.evidence).toContain('web (8080) (container app)');
  });

  it('fails at service when it does not exist, and skips the rest', () => {
    const d = diagnose(serviceSteps({ service: undefined, asked, pods, similarServices: ['carts'] }));
    expect(d.firstFailure).toBe('service');
    expect(d.steps[0]!.evidence).toBe('No Service cart in namespace shop. Did you mean carts?');
    expect(d.steps.slice(1).every((s) => s.status === 'skip' && s.evidence.startsWith('Not checked'))).toBe(true);
  });

  it('names the ports the Service has when the asked one is not among them', () => {
    const d = run(cart, pods, 8080);
    expect(d.firstFailure).toBe('service');
    expect(d.steps[0]!.evidence).toBe('Service cart (ClusterIP) has no port 8080/tcp: its ports are 80/tcp (http).');
    expect(d.steps[0]!.fix).toBe('Use port 80, or add port 8080 to Service cart.');
  });

  it('finds the one-letter typo in the selector as a near miss', () => {
    const d = run({ ...cart, selector: { app: 'crat' } });
    expect(d.firstFailure).toBe('selector');
    expect(d.steps[1]!.evidence).toContain('pod cart-1 has app=cart (selector wants app=crat)');
    expect(d.steps[1]!.fix).toBe("Set the selector's app to cart (as pod cart-1 has it), or relabel the pods app=crat.");
  });

  it('finds pods with the same labels in another namespace', () => {
    const d = run(cart, [pod('cart-1', { app: 'cart' }, { namespace: 'store' })]);
    expect(d.firstFailure).toBe('selector');
    expect(d.steps[1]!.evidence).toContain('same labels in another namespace: pod store/cart-1');
    expect(d.steps[1]!.fix).toBe('Move Service cart to namespace store, or run the pods in shop.');
  });

  it('fails at target-port with the sentence of the issue', () => {
    const d = run({ ...cart, ports: [{ port: 80, targetPort: 'http' }] });
    expect(d.firstFailure).toBe('target-port');
    expect(verdictSentence(d)).toBe(
      'Broken at target-port: Service cart sends port 80 to targetPort `http`, but no container of the 3 selected pods declares a port named `http` — they declare `web` (8080). Set targetPort to 8080 or name the port http.',
    );
    expect(d.steps[3]).toEqual({ id: 'endpoints', status: 'skip', evidence: 'Not checked: the targetPort does not resolve, so no pod can be an endpoint.' });
  });

  it('warns when a numeric targetPort is declared by no container', () => {
    const d = run({ ...cart, ports: [{ port: 80, targetPort: 9000 }] });
    expect(d.firstFailure).toBeNull();
    expect(d.steps[2]!.status).toBe('warn');
  });

  it('says why each selected pod is not ready', () => {
    const d = run(cart, [
      pod('cart-1', { app: 'cart' }, { ready: false, containerStatuses: [{ name: 'app', ready: false, waitingReason: 'CrashLoopBackOff' }] }),
      pod('cart-2', { app: 'cart' }, { ready: false, phase: 'Pending', unschedulable: '0/3 nodes are available: 3 Insufficient cpu.' }),
      pod('cart-3', { app: 'cart' }, { ready: false, terminating: true }),
    ]);
    expect(d.firstFailure).toBe('endpoints');
    expect(d.steps[3]!.evidence).toBe(
      'None of the 3 selected pods of Service cart is a ready endpoint — cart-1: container app CrashLoopBackOff; cart-2: Pending and unschedulable: 0/3 nodes are available: 3 Insufficient cpu.; cart-3: terminating.',
    );
    expect(d.steps[3]!.fix).toContain('kubectl logs --previous -n shop cart-1');
  });

  it('trusts ready endpoints from the EndpointSlices', () => {
    const d = diagnose(serviceSteps({ service: cart, asked, pods, endpoints: [{ ip: '10.1.0.5', ready: true, pod: 'cart-1' }] }));
    expect(d.steps[3]).toMatchObject({ id: 'endpoints', status: 'pass' });
    expect(d.steps[3]!.evidence).toContain('10.1.0.5');
  });
});

describe('notReadyReason', () => {
  it('reads the readiness condition', () => {
    expect(notReadyReason(pod('a', {}, { ready: false, containerStatuses: [{ name: 'app', ready: false }] }))).toBe('readiness probe failing (container app not ready)');
    expect(notReadyReason(pod('a', {}))).toBeUndefined();
  });
});

describe('selectorNearMisses', () => {
  it('counts a missing key only when the selector has more than one', () => {
    expect(selectorNearMisses({ app: 'cart' }, 'shop', [pod('x', { tier: 'web' })]).oneOff).toEqual([]);
    expect(selectorNearMisses({ app: 'cart', tier: 'web' }, 'shop', [pod('x', { app: 'cart' })]).oneOff).toEqual([
      { pod: 'x', namespace: 'shop', difference: 'no label tier (selector wants tier=web)' },
    ]);
  });
});

describe('diagnose', () => {
  it('orders steps, never turns a skip into a pass, and names the first failure', () => {
    const d = diagnose([skipStep('probe', 'no agent configured'), { id: 'policy', status: 'fail', evidence: 'Denied by default-deny.' }, { id: 'resolve', status: 'pass', evidence: 'ok' }]);
    expect(d.steps.map((s) => s.id)).toEqual(['resolve', 'policy', 'probe']);
    expect(d.firstFailure).toBe('policy');
    expect(d.steps[2]).toEqual({ id: 'probe', status: 'skip', evidence: 'Not checked: no agent configured.' });
    expect(verdictSentence(diagnose([skipStep('probe', 'x'), { id: 'service', status: 'pass', evidence: 'ok' }]))).toBe('No broken step found: 1 of 2 checks pass (not checked: probe).');
  });
});

describe('selector near misses of a one-label selector', () => {
  it('counts only a value that looks like a typo, not every other app', () => {
    const near = selectorNearMisses({ app: 'crat' }, 'shop', [pod('cart-1', { app: 'cart' }), pod('stock-1', { app: 'stock' })]);
    expect(near.oneOff.map((m) => m.pod)).toEqual(['cart-1']);
    expect(selectorNearMisses({ app: 'stock' }, 'shop', [pod('cart-1', { app: 'cart' })]).oneOff).toEqual([]);
  });
});

describe('withRerunSteps ("Probe again")', () => {
  const step = (id: Parameters<typeof skipStep>[0], status: 'pass' | 'fail' | 'skip', evidence: string) => ({ id, status, evidence });
  const before = diagnose([step('service', 'pass', 'svc'), step('listening', 'pass', 'listens'), step('policy', 'pass', 'admits'), step('probe', 'pass', 'connected')]);

  it('takes the rerun steps from the fresh answer, keeps the others, and names the first failure anew', () => {
    const fresh = diagnose([step('service', 'fail', 'gone now'), step('listening', 'fail', 'nothing listens'), step('policy', 'fail', 'denied now'), step('probe', 'fail', 'refused')]);
    const merged = withRerunSteps(before, fresh, ['listening', 'probe']);
    expect(merged.steps.map((s) => [s.id, s.status, s.evidence])).toEqual([
      ['service', 'pass', 'svc'],
      ['listening', 'fail', 'nothing listens'],
      ['policy', 'pass', 'admits'],
      ['probe', 'fail', 'refused'],
    ]);
    expect(merged.firstFailure).toBe('listening');
  });

  it('a rerun step the fresh answer lacks stays as it was; one it adds takes its place in the order', () => {
    const fresh = diagnose([step('resolve', 'pass', 'resolves live'), step('probe', 'pass', 'connected again')]);
    const merged = withRerunSteps(before, fresh, ['resolve', 'listening', 'probe']);
    expect(merged.steps.map((s) => s.evidence)).toEqual(['resolves live', 'svc', 'listens', 'admits', 'connected again']);
    expect(merged.firstFailure).toBeNull();
  });
});
