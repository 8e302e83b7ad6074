/** Builders for the policy engine tests: pods, namespaces and policies written as the API writes them. */
import type { PolicyEndpoint, PolicyNamespace, PolicyPod } from '../../../src/net/policy-peers.js';
import type { NamedPort } from '../../../src/net/policy-ports.js';
import { readNetworkPolicy, type NetworkPolicySpec } from '../../../src/net/policy-spec.js';
import { PolicyEngine } from '../../../src/net/policy-engine.js';

export function pod(name: string, labels: Record<string, string>, o: { ns?: string; ips?: string[]; ports?: NamedPort[]; hostNetwork?: boolean } = {}): PolicyEndpoint {
  const p: PolicyPod = { namespace: o.ns ?? 'shop', name, labels, ips: o.ips ?? ['10.244.1.10'], hostNetwork: o.hostNetwork ?? false, namedPorts: o.ports ?? [] };
  return { kind: 'pod', pod: p };
}

export const external = (ip: string): PolicyEndpoint => ({ kind: 'address', ip, place: 'external' });

export function ns(name: string, labels: Record<string, string> = {}): PolicyNamespace {
  return { name, labels: { 'kubernetes.io/metadata.name': name, ...labels } };
}

/** A policy from its API JSON spec (read by the same reader as the cache). */
export function np(name: string, spec: Record<string, unknown>, namespace = 'shop'): NetworkPolicySpec {
  return readNetworkPolicy({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec: { podSelector: {}, ...spec } });
}

export function engine(policies: NetworkPolicySpec[], namespaces: PolicyNamespace[] = [ns('shop', { team: 'shop' }), ns('web', { team: 'web' }), ns('ops', { team: 'ops' })]): PolicyEngine {
  return new PolicyEngine({ policies, namespaces });
}

/** The usual pair: web-1 (app=web, namespace web) → db-0 (app=db, namespace shop, port 5432 named pg). */
export const WEB = pod('web-1', { app: 'web' }, { ns: 'web', ips: ['10.244.2.5', 'fd00:10:244:2::5'] });
export const DB = pod('db-0', { app: 'db' }, { ips: ['10.244.1.10', 'fd00:10:244:1::a'], ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }, { name: 'metrics', port: 9187, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }] });
