import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/core/errors.js';
import { parseEndpointRef, podNamespace } from '../../../src/net/endpoint-ref.js';

describe('parseEndpointRef: the one reader of targets (ping, --from, reach, why, policy)', () => {
  it.each([
    ['shop/webserver-2', { kind: 'pod', namespace: 'shop', name: 'webserver-2' }],
    ['pod/shop/webserver-2', { kind: 'pod', namespace: 'shop', name: 'webserver-2' }],
    ['po/shop/webserver-2', { kind: 'pod', namespace: 'shop', name: 'webserver-2' }],
    ['pods/webserver-2', { kind: 'pod', name: 'webserver-2' }],
    ['Pod/webserver-2', { kind: 'pod', name: 'webserver-2' }],
    ['container/webserver-1', { kind: 'container', name: 'webserver-1' }],
    ['ctr/webserver-1', { kind: 'container', name: 'webserver-1' }],
    ['/webserver-1', { kind: 'container', name: 'webserver-1' }],
    ['172.17.0.2', { kind: 'ip', ip: '172.17.0.2' }],
    ['ip/10.244.1.5', { kind: 'ip', ip: '10.244.1.5' }],
    ['webserver-1', { kind: 'name', name: 'webserver-1' }],
  ])('%s', (text, ref) => {
    expect(parseEndpointRef(text)).toEqual(ref);
  });

  it.each([
    ['svc/web', '"svc/web" names a Service, which is not a target here.'],
    ['node/worker-1', '"node/worker-1" names a node, which is not a target here.'],
    ['deploy/web', '"deploy/web" names a Deployment, which is not a target here.'],
    ['pod/a/b/c', '"pod/a/b/c" is not a pod, address or container reference.'],
    ['container/a/b', '"container/a/b" is not a container reference; write container/<name>.'],
    ['ip/10.0.0.300', '"10.0.0.300" is not an IP address'],
  ])('refuses %s with what is accepted', (text, message) => {
    let err: unknown;
    try {
      parseEndpointRef(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toContain(message);
    expect((err as UserError).details.join(' ')).toMatch(/Accepted|write/);
  });

  it('a namespace in the target and -n: one is enough, two different is a mistake', () => {
    expect(podNamespace({ name: 'web-1', namespace: 'shop' }, undefined)).toBe('shop');
    expect(podNamespace({ name: 'web-1' }, 'shop')).toBe('shop');
    expect(podNamespace({ name: 'web-1', namespace: 'shop' }, 'shop')).toBe('shop');
    expect(() => podNamespace({ name: 'web-1', namespace: 'shop' }, 'default')).toThrow('"shop/web-1" says namespace shop, and -n says default; give one.');
  });
});
