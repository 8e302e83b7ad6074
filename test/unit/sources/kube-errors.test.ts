import { ApiException } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { BackendError, UserError } from '../../../src/core/errors.js';
import { DeadlineError, KubeStatusError, httpStatusOf, kubeError, unknownContextError, withDeadline } from '../../../src/sources/kube-errors.js';

const target = { context: 'kind-dev', server: 'https://127.0.0.1:6443' };
const listPods = { verb: 'list', resource: 'pods', group: '' } as const;

function apiException(code: number, status: object): ApiException<string> {
  return new ApiException(code, `HTTP-Code: ${code}`, JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', ...status, code }), {});
}

describe('kubeError', () => {
  it("turns RBAC's 403 into a forbidden UserError naming verb and resource", () => {
    const err = kubeError(
      apiException(403, { reason: 'Forbidden', message: 'pods is forbidden: User "system:serviceaccount:netpeek:netpeek" cannot list resource "pods" in API group "" at the cluster scope' }),
      listPods,
      target,
    );
    expect(err).toBeInstanceOf(UserError);
    expect(err.code).toBe('forbidden');
    expect(err.message).toBe('Kubernetes (context kind-dev) forbids it: system:serviceaccount:netpeek:netpeek may not list pods at the cluster scope. Missing permission: "list" on "pods".');
    expect(err.details[1]).toBe('Grant it with an RBAC rule: apiGroups [""], resources ["pods"], verbs ["list"].');
  });

  it('reads namespace and group from the message, and falls back to the request without one', () => {
    const named = kubeError(
      apiException(403, { message: 'endpointslices.discovery.k8s.io is forbidden: User "bob" cannot watch resource "endpointslices" in API group "discovery.k8s.io" in the namespace "shop"' }),
      { verb: 'watch', resource: 'endpointslices', group: 'discovery.k8s.io' },
      target,
    );
    expect(named.message).toBe('Kubernetes (context kind-dev) forbids it: bob may not watch endpointslices in API group discovery.k8s.io in namespace shop. Missing permission: "watch" on "endpointslices".');
    const bare = kubeError(Object.assign(new Error('Forbidden'), { statusCode: 403 }), { verb: 'watch', resource: 'nodes', group: '' }, target);
    expect(bare.message).toBe('Kubernetes (context kind-dev) forbids it: netpeek may not watch nodes at the cluster scope. Missing permission: "watch" on "nodes".');
  });

  it('names the server when nothing answers', () => {
    const refused = Object.assign(new Error('request to https://127.0.0.1:6443/api/v1/pods failed'), { code: 'ECONNREFUSED', type: 'system' });
    const err = kubeError(refused, listPods, target);
    expect(err).toBeInstanceOf(BackendError);
    expect(err.message).toBe('The Kubernetes API server at https://127.0.0.1:6443 (context kind-dev) did not answer: connection refused.');
    expect(kubeError(Object.assign(new Error('x'), { code: 'ENOTFOUND' }), listPods, target).message).toMatch(/did not answer: the host name does not resolve\.$/);
    expect(kubeError(Object.assign(new Error('x'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }), listPods, target).message).toMatch(/its TLS certificate was not accepted \(DEPTH_ZERO_SELF_SIGNED_CERT\)/);
    expect(kubeError(new DeadlineError(5000), listPods, target).message).toBe('The Kubernetes API server at https://127.0.0.1:6443 (context kind-dev) did not answer within 5 s.');
  });

  it('reports other statuses with the server message', () => {
    const err = kubeError(apiException(500, { reason: 'InternalError', message: 'Internal error occurred: etcd is down' }), { verb: 'get', resource: 'pods', group: '', name: 'web-1' }, target);
    expect(err.message).toBe('The Kubernetes API server at https://127.0.0.1:6443 (context kind-dev) answered 500 InternalError to get pods "web-1": Internal error occurred: etcd is down.');
    expect(kubeError(apiException(401, { reason: 'Unauthorized', message: 'Unauthorized' }), listPods, target).message).toMatch(/rejected netpeek's credentials \(401 Unauthorized\)/);
  });

  it('reads the status of every client-node failure shape', () => {
    expect(httpStatusOf(apiException(404, {}))).toBe(404);
    expect(httpStatusOf(new KubeStatusError(410, 'Expired', 'too old resource version'))).toBe(410);
    expect(httpStatusOf(Object.assign(new Error('Gone'), { statusCode: 410 }))).toBe(410);
    expect(httpStatusOf(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBeUndefined();
  });
});

describe('unknownContextError', () => {
  it('lists the contexts there are', () => {
    const err = unknownContextError('prod', ['kind-dev', 'docker-desktop'], '/home/me/.kube/config');
    expect(err.message).toBe('There is no Kubernetes context "prod" in /home/me/.kube/config.');
    expect(err.details).toEqual(['Contexts: kind-dev, docker-desktop', 'Example: pod webserver-2 --context kind-dev']);
  });
});

describe('withDeadline', () => {
  it('passes results through and rejects slow calls with DeadlineError', async () => {
    await expect(withDeadline(Promise.resolve(7), 100)).resolves.toBe(7);
    await expect(withDeadline(new Promise(() => {}), 20)).rejects.toBeInstanceOf(DeadlineError);
  });
});
