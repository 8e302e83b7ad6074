import { describe, expect, it } from 'vitest';
import { matchServiceAnswer, serviceOfDnsName, type ServiceAddresses } from '../../../src/net/dns-service-match.js';

const web: ServiceAddresses = { namespace: 'shop', name: 'web', headless: false, clusterIPs: ['10.96.0.20'], readyEndpoints: ['10.244.1.5'] };
const db: ServiceAddresses = { namespace: 'data', name: 'db', headless: true, clusterIPs: [], readyEndpoints: ['10.244.2.7', '10.244.2.8'] };

describe('serviceOfDnsName', () => {
  it('<service>.<namespace>.svc.<cluster domain>, trailing dot or not, any case', () => {
    expect(serviceOfDnsName('web.shop.svc.cluster.local.')).toEqual({ service: 'web', namespace: 'shop', clusterDomain: 'cluster.local' });
    expect(serviceOfDnsName('Web.Shop.SVC.corp.example')).toEqual({ service: 'web', namespace: 'shop', clusterDomain: 'corp.example' });
  });

  it('anything else is not a Service name', () => {
    for (const n of ['web', 'web.shop', 'web.shop.svc', 'api.example.com.', 'web-0.web.shop.svc.cluster.local.', '_http._tcp.web.shop.svc.cluster.local.']) expect(serviceOfDnsName(n), n).toBeUndefined();
  });
});

describe('matchServiceAnswer', () => {
  it('a ClusterIP answer that is the ClusterIP matches', () => {
    expect(matchServiceAnswer('web.shop.svc.cluster.local.', ['10.96.0.20'], web)).toEqual({
      verdict: 'matches',
      service: 'shop/web',
      expected: ['10.96.0.20'],
      warning: false,
      sentence: 'web.shop.svc.cluster.local. answers 10.96.0.20: the ClusterIP of Service shop/web (10.96.0.20), as in the API; connections to it are spread over its endpoints by kube-proxy.',
    });
  });

  it('any other address differs, and says where connections go instead', () => {
    const m = matchServiceAnswer('web.shop.svc.cluster.local', ['10.96.0.99'], web)!;
    expect(m).toMatchObject({ verdict: 'differs', warning: true, expected: ['10.96.0.20'] });
    expect(m.sentence).toBe(
      'web.shop.svc.cluster.local. answers 10.96.0.99, but the API has the ClusterIP of Service shop/web (10.96.0.20): the answer does not come from this Service (a stale DNS cache, a hosts entry, another cluster domain or a stub domain answered) — connections will go to 10.96.0.99, not to the Service.',
    );
  });

  it('headless: the ready endpoints (all or some) match; an address that is not one differs', () => {
    expect(matchServiceAnswer('db.data.svc.cluster.local.', ['10.244.2.8', '10.244.2.7'], db)).toMatchObject({ verdict: 'matches', warning: false });
    expect(matchServiceAnswer('db.data.svc.cluster.local.', ['10.244.2.7'], db)!.sentence).toContain('some of the ready endpoints of headless Service data/db (10.244.2.7, 10.244.2.8)');
    expect(matchServiceAnswer('db.data.svc.cluster.local.', ['10.244.2.7', '10.244.2.9'], db)!.sentence).toBe(
      'db.data.svc.cluster.local. answers 10.244.2.7, 10.244.2.9, but the API has the ready endpoints of headless Service data/db (10.244.2.7, 10.244.2.8): 10.244.2.9 is not a ready endpoint (a pod gone or not ready, a stale DNS cache); 10.244.2.8 is missing from the answer.',
    );
  });

  it('no answer: a problem when the API has addresses, expected for a headless Service without ready endpoints', () => {
    expect(matchServiceAnswer('web.shop.svc.cluster.local.', [], web)).toMatchObject({ verdict: 'not-answered', warning: true });
    expect(matchServiceAnswer('db.data.svc.cluster.local.', [], { ...db, readyEndpoints: [] })).toMatchObject({ verdict: 'not-answered', warning: false });
  });

  it('no such Service; an ExternalName one; a name that is not a Service name', () => {
    expect(matchServiceAnswer('gone.shop.svc.cluster.local.', ['10.96.0.7'], undefined)).toMatchObject({ verdict: 'no-service', warning: true, service: 'shop/gone' });
    expect(matchServiceAnswer('gone.shop.svc.cluster.local.', [], undefined)).toMatchObject({ verdict: 'no-service', warning: false });
    expect(matchServiceAnswer('ext.shop.svc.cluster.local.', [], { ...web, externalName: 'api.example.com' })).toMatchObject({ verdict: 'external-name', expected: ['api.example.com'] });
    expect(matchServiceAnswer('api.example.com.', ['192.0.2.1'], web)).toBeUndefined();
  });
});
