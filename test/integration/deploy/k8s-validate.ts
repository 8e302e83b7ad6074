import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';

/**
 * Validation of rendered Kubernetes objects, offline, with two libraries from npm:
 *
 * 1. kubernetes-models: each kind's JSON Schema from the Kubernetes OpenAPI, compiled with ajv — types,
 *    required fields, enums and formats (`replicas: "two"` or a container without `name` fails). Those
 *    schemas, like the upstream OpenAPI, do not forbid unknown properties (the API server only drops them).
 * 2. So unknown fields are checked like `kubectl --validate=strict` does, against the field lists of
 *    @kubernetes/client-node's models (generated from the same OpenAPI, v1.34; already a dependency):
 *    every key at every level must be a field of that level's type, so a misspelled field fails.
 */

const run = promisify(execFile);

export type K8sObject = { apiVersion: string; kind: string; metadata?: { name?: string; namespace?: string; labels?: Record<string, string> }; [key: string]: unknown };

/** `kubectl kustomize <dir>`, parsed into objects. */
export async function kustomize(dir: string): Promise<K8sObject[]> {
  const { stdout } = await run('kubectl', ['kustomize', dir], { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 });
  return parseObjects(stdout);
}

export function parseObjects(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length) throw new Error(`YAML error: ${doc.errors.map((e) => e.message).join('; ')}`);
      return doc.toJS() as K8sObject | null;
    })
    .filter((o): o is K8sObject => o !== null);
}

type Validatable = { validate(): void };
type ModelClass = new (data: unknown) => Validatable;

/** Custom resources netpeek ships (Prometheus Operator's monitors), with their schemas from npm. */
const CRD_MODELS: Record<string, string> = { 'monitoring.coreos.com': '@kubernetes-models/prometheus-operator/monitoring.coreos.com' };

/** kubernetes-models/<group>/<version>/<Kind> (core: kubernetes-models/v1/<Kind>); CRDs from CRD_MODELS. */
async function modelClass(apiVersion: string, kind: string): Promise<ModelClass> {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const crd = group ? CRD_MODELS[group] : undefined;
  const spec = crd ? `${crd}/${version}` : group ? `kubernetes-models/${group}/${version}/${kind}` : `kubernetes-models/${version}/${kind}`;
  const mod = (await import(spec)) as Record<string, unknown>;
  const cls = mod[kind] as ModelClass | undefined;
  if (typeof cls !== 'function') throw new Error(`${spec} exports no ${kind}`);
  return cls;
}

/** The schema errors of one object, as "path: message" lines (empty when valid). */
async function schemaErrors(obj: K8sObject): Promise<string[]> {
  const Model = await modelClass(obj.apiVersion, obj.kind);
  try {
    new Model(obj).validate();
    return [];
  } catch (err) {
    const details = (err as { errors?: Array<{ instancePath?: string; message?: string; params?: unknown }> }).errors;
    if (!details) throw err;
    return details.map((d) => `${d.instancePath || '/'}: ${d.message ?? 'invalid'} ${d.params ? JSON.stringify(d.params) : ''}`.trim());
  }
}

interface Attribute {
  baseName: string;
  type: string;
}
type ModelWithMap = { attributeTypeMap?: Attribute[]; getAttributeTypeMap?: () => Attribute[] };

const MODELS = k8s as unknown as Record<string, ModelWithMap | undefined>;

function attributes(type: string): Attribute[] | undefined {
  const m = MODELS[type];
  return m?.getAttributeTypeMap?.() ?? m?.attributeTypeMap;
}

/** client-node's model name: apps/v1 Deployment → V1Deployment, policy/v1 PodDisruptionBudget → V1PodDisruptionBudget. */
function rootType(apiVersion: string, kind: string): string {
  const version = apiVersion.split('/').pop() ?? apiVersion;
  return `${version.charAt(0).toUpperCase()}${version.slice(1)}${kind}`;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function unknownFields(value: unknown, type: string, path: string, out: string[]): void {
  if (value === null || value === undefined) return;
  const array = /^Array<(.+)>$/.exec(type);
  if (array) {
    if (Array.isArray(value)) value.forEach((v, i) => unknownFields(v, array[1]!, `${path}/${i}`, out));
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    if (isObject(value)) for (const [k, v] of Object.entries(value)) unknownFields(v, map[1]!, `${path}/${k}`, out);
    return;
  }
  const attrs = attributes(type);
  // Primitives, IntOrString, Date, any: nothing to descend into (types are the JSON Schema's job).
  if (!attrs || !isObject(value)) return;
  const known = new Map(attrs.map((a) => [a.baseName, a.type]));
  for (const [key, v] of Object.entries(value)) {
    const t = known.get(key);
    if (t === undefined) out.push(`${path}/${key}: unknown field "${key}" (not a field of ${type})`);
    else unknownFields(v, t, `${path}/${key}`, out);
  }
}

/** Unknown-field errors of one object (empty when every key is a known field). */
export function strictFieldErrors(obj: K8sObject): string[] {
  const type = rootType(obj.apiVersion, obj.kind);
  if (!attributes(type)) throw new Error(`@kubernetes/client-node has no model ${type} for ${obj.apiVersion} ${obj.kind}`);
  const out: string[] = [];
  unknownFields(obj, type, '', out);
  return out;
}

/** Both checks; each line names the object and the path. */
export async function validateObject(obj: K8sObject): Promise<string[]> {
  const name = `${obj.kind}/${obj.metadata?.name ?? '?'}`;
  // client-node has no models of custom resources: those get their CRD's schema only.
  const isCrd = Object.keys(CRD_MODELS).includes(obj.apiVersion.split('/')[0] ?? '');
  const errors = [...(await schemaErrors(obj)), ...(isCrd ? [] : strictFieldErrors(obj))];
  return errors.map((e) => `${name} ${e}`);
}

export async function validateAll(objects: K8sObject[]): Promise<string[]> {
  return (await Promise.all(objects.map(validateObject))).flat();
}
