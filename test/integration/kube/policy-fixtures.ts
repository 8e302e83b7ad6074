/** A namespace with policies for the `policy` tests: shop's db (StatefulSet), api (Deployment, 2 pods), cache-0; web/web-1 outside. */
import { namespace, networkPolicy, node, pod } from '../../support/kube-apiserver/fixtures.js';

const rs = (name: string, hash: string) => ({ ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${name}-${hash}`, uid: `uid-${name}`, controller: true }] });

export const SHOP = [
  namespace('shop', { team: 'shop' }),
  namespace('web', { team: 'web' }),
  node('node-1', { internalIP: '192.0.2.21', podCIDR: '10.244.1.0/24' }),
  pod('db-0', {
    namespace: 'shop', ip: '10.244.1.10', nodeName: 'node-1', labels: { app: 'db' },
    containers: [{ name: 'postgres', ports: [{ name: 'pg', containerPort: 5432 }] }],
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: 'uid-db', controller: true }],
  }),
  pod('api-5f6d7-aaaaa', { namespace: 'shop', ip: '10.244.1.20', nodeName: 'node-1', labels: { app: 'api', 'pod-template-hash': '5f6d7' }, ...rs('api', '5f6d7') }),
  pod('api-5f6d7-bbbbb', { namespace: 'shop', ip: '10.244.1.21', nodeName: 'node-1', labels: { app: 'api', 'pod-template-hash': '5f6d7' }, ...rs('api', '5f6d7') }),
  pod('cache-0', { namespace: 'shop', ip: '10.244.1.30', nodeName: 'node-1', labels: { app: 'cache' } }),
  pod('web-1', { namespace: 'web', ip: '10.244.1.40', nodeName: 'node-1', labels: { app: 'web' } }),
  networkPolicy('default-deny', { policyTypes: ['Ingress'] }, 'shop'),
  networkPolicy('db-from-api', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [{ port: 'pg' }] }] }, 'shop'),
  networkPolicy('api-from-web', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'web' } } }], ports: [{ port: 8080 }] }] }, 'shop'),
  networkPolicy('db-egress', { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Egress'], egress: [{ ports: [{ protocol: 'UDP', port: 53 }] }] }, 'shop'),
];

