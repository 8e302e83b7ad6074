/**
 * A minimal OpenAPI v3 (`/openapi/v3` and one document per group version). It carries no schemas:
 * just each resource's PATCH operation with its `x-kubernetes-group-version-kind` and the
 * `fieldValidation` query parameter, which is what kubectl create -f / apply (validation "Strict")
 * checks to hand validation to the server. Without schemas kubectl builds apply patches from its
 * compiled-in types, as it does for any server whose spec lacks a type.
 */
import { createHash } from 'node:crypto';
import type { ResourceDef } from './resources.js';
import { GROUPS, RESOURCES } from './resources.js';
import { SERVER_VERSION } from './discovery.js';

const gvPath = (group: string, version: string) => (group ? `apis/${group}/${version}` : `api/${version}`);
const queryParam = (name: string) => ({ name, in: 'query', schema: { type: 'string', uniqueItems: true } });

function operation(r: ResourceDef, action: string, params: string[]): object {
  return {
    parameters: params.map(queryParam),
    responses: { '200': { description: 'OK' } },
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': { group: r.group, version: r.version, kind: r.kind },
  };
}

function gvDocument(group: string, version: string): object {
  const paths: Record<string, object> = {};
  for (const r of RESOURCES.filter((x) => x.group === group && x.version === version)) {
    const base = `/${gvPath(group, version)}${r.namespaced ? '/namespaces/{namespace}' : ''}/${r.plural}`;
    const write = ['dryRun', 'fieldManager', 'fieldValidation'];
    paths[base] = { post: operation(r, 'post', write), get: operation(r, 'list', ['labelSelector', 'fieldSelector', 'limit', 'continue', 'watch']) };
    paths[`${base}/{name}`] = {
      get: operation(r, 'get', []),
      put: operation(r, 'put', write),
      patch: operation(r, 'patch', [...write, 'force']),
      delete: operation(r, 'delete', ['dryRun']),
    };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: SERVER_VERSION.gitVersion }, paths, components: { schemas: {} } };
}

const ALL_GVS = [{ group: '', version: 'v1' }, ...GROUPS];
const DOCS = new Map(ALL_GVS.map((g) => [gvPath(g.group, g.version), JSON.stringify(gvDocument(g.group, g.version))]));

export function openapiV3Root(): object {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const [path, doc] of DOCS) {
    const hash = createHash('sha512').update(doc).digest('hex').slice(0, 128).toUpperCase();
    paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${hash}` };
  }
  return { paths };
}

/** The document for `/openapi/v3/<api/v1 | apis/g/v>`, or undefined. */
export function openapiV3Document(path: string): string | undefined {
  return DOCS.get(path.replace(/^\/openapi\/v3\//, '').replace(/\/+$/, ''));
}
