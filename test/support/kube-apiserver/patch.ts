/**
 * PATCH bodies: JSON merge patch (RFC 7386), JSON patch (RFC 6902), and strategic merge patch
 * approximated as a merge patch whose lists of named items (containers, ports, …) or typed items
 * (conditions) merge by that key, the way the real patchMergeKeys do for the common fields.
 */
import { errors } from './status.js';

type Json = unknown;
const isObj = (v: Json): v is Record<string, Json> => v !== null && typeof v === 'object' && !Array.isArray(v);

function mergeKeyOf(a: Json[], b: Json[]): string | undefined {
  for (const key of ['name', 'type']) {
    const all = [...a, ...b];
    if (all.length && all.every((x) => isObj(x) && typeof x[key] === 'string')) return key;
  }
  return undefined;
}

export function mergePatch(target: Json, patch: Json, strategic = false): Json {
  if (!isObj(patch)) return patch;
  const out: Record<string, Json> = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (strategic && k === '$patch') continue;
    if (v === null) delete out[k];
    else if (strategic && Array.isArray(v) && Array.isArray(out[k])) {
      const cur = out[k] as Json[];
      const key = mergeKeyOf(cur, v);
      if (!key) { out[k] = v; continue; }
      const merged = cur.map((x) => structuredClone(x)) as Record<string, Json>[];
      for (const item of v as Record<string, Json>[]) {
        const i = merged.findIndex((x) => x[key] === item[key]);
        if (item.$patch === 'delete') { if (i >= 0) merged.splice(i, 1); }
        else if (i >= 0) merged[i] = mergePatch(merged[i], item, true) as Record<string, Json>;
        else merged.push(mergePatch({}, item, true) as Record<string, Json>);
      }
      out[k] = merged;
    } else out[k] = mergePatch(out[k], v, strategic);
  }
  return out;
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw errors.badRequest(`invalid JSON pointer: ${path}`);
  return path.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: Json, parts: string[]): { parent: Record<string, Json> | Json[]; last: string } {
  let cur = doc;
  for (const p of parts.slice(0, -1)) {
    cur = Array.isArray(cur) ? cur[Number(p)] : isObj(cur) ? cur[p] : undefined;
    if (cur === undefined || cur === null || typeof cur !== 'object') throw errors.badRequest(`jsonpatch: path not found: /${parts.join('/')}`);
  }
  return { parent: cur as Record<string, Json> | Json[], last: parts[parts.length - 1]! };
}

function getAt(doc: Json, parts: string[]): Json {
  if (parts.length === 0) return doc;
  const { parent, last } = parentOf(doc, parts);
  const v = Array.isArray(parent) ? parent[Number(last)] : parent[last];
  if (v === undefined) throw errors.badRequest(`jsonpatch: path not found: /${parts.join('/')}`);
  return v;
}

function removeAt(doc: Json, parts: string[]): Json {
  const { parent, last } = parentOf(doc, parts);
  const v = getAt(doc, parts);
  if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else delete parent[last];
  return v;
}

function addAt(doc: Json, parts: string[], value: Json, replace: boolean): Json {
  if (parts.length === 0) return value;
  const { parent, last } = parentOf(doc, parts);
  if (Array.isArray(parent)) {
    const i = last === '-' ? parent.length : Number(last);
    if (replace) parent[i] = value;
    else parent.splice(i, 0, value);
  } else parent[last] = value;
  return doc;
}

export function jsonPatch(target: Json, ops: Json): Json {
  if (!Array.isArray(ops)) throw errors.badRequest('json patch must be an array of operations');
  let doc = structuredClone(target);
  for (const op of ops as Record<string, Json>[]) {
    const path = pointer(String(op.path ?? ''));
    switch (op.op) {
      case 'add': doc = addAt(doc, path, structuredClone(op.value), false); break;
      case 'replace': getAt(doc, path); doc = addAt(doc, path, structuredClone(op.value), true); break;
      case 'remove': removeAt(doc, path); break;
      case 'move': { const v = removeAt(doc, pointer(String(op.from))); doc = addAt(doc, path, v, false); break; }
      case 'copy': doc = addAt(doc, path, structuredClone(getAt(doc, pointer(String(op.from)))), false); break;
      case 'test':
        if (JSON.stringify(getAt(doc, path)) !== JSON.stringify(op.value)) {
          throw errors.badRequest(`the server rejected our request due to an error in our request: testing value ${String(op.path)} failed`);
        }
        break;
      default: throw errors.badRequest(`Unexpected kind: ${String(op.op)}`);
    }
  }
  return doc;
}

/** Applies a PATCH body according to its Content-Type. */
export function applyPatch(target: Json, body: Json, contentType: string): Json {
  const type = contentType.split(';')[0]!.trim();
  switch (type) {
    case 'application/json-patch+json': return jsonPatch(target, body);
    case 'application/merge-patch+json': return mergePatch(target, body);
    case 'application/strategic-merge-patch+json': return mergePatch(target, body, true);
    default: throw errors.unsupportedMediaType(type);
  }
}
