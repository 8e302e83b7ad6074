/**
 * Label selectors (`=`, `==`, `!=`, `in`, `notin`, `key`, `!key`, `>`, `<`) and field selectors
 * (`=`, `==`, `!=` on the labels each kind supports), parsed and matched like k8s.io/apimachinery.
 */
import type { KubeObject, ResourceDef } from './resources.js';
import { errors } from './status.js';

type LabelOp = '=' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';
export type LabelRequirement = { key: string; op: LabelOp; values: string[] };
export type FieldRequirement = { field: string; op: '=' | '!='; value: string };

const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function validKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return false;
  return name.length <= 63 && QUALIFIED_NAME.test(name);
}

function validValue(v: string): boolean {
  return v === '' || (v.length <= 63 && QUALIFIED_NAME.test(v));
}

/** Splits a label selector into tokens the way the apimachinery lexer does. */
function lex(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (/\s/.test(c)) { i++; continue; }
    const two = s.slice(i, i + 2);
    if (two === '==' || two === '!=') { out.push(two); i += 2; continue; }
    if ('(),=!<>'.includes(c)) { out.push(c); i++; continue; }
    let j = i;
    while (j < s.length && !/[\s(),=!<>]/.test(s[j]!)) j++;
    out.push(s.slice(i, j));
    i = j;
  }
  return out;
}

const SPECIAL = new Set(['(', ')', ',', '=', '==', '!=', '!', '<', '>']);

export function parseLabelSelector(selector: string | undefined): LabelRequirement[] {
  if (!selector || !selector.trim()) return [];
  const toks = lex(selector);
  let p = 0;
  const fail = (msg: string): never => {
    throw errors.badRequest(`unable to parse requirement: ${msg}`);
  };
  const ident = (): string => {
    const t = toks[p];
    if (t === undefined || SPECIAL.has(t)) return fail(`found '${t ?? ''}', expected: identifier`);
    p++;
    return t;
  };
  const reqs: LabelRequirement[] = [];
  for (;;) {
    let req: LabelRequirement;
    if (toks[p] === '!') {
      p++;
      req = { key: ident(), op: '!', values: [] };
    } else {
      const key = ident();
      const op = toks[p];
      if (op === undefined || op === ',') req = { key, op: 'exists', values: [] };
      else if (op === '=' || op === '==' || op === '!=') {
        p++;
        const v = toks[p] === undefined || toks[p] === ',' ? '' : ident();
        req = { key, op: op === '!=' ? '!=' : '=', values: [v] };
      } else if (op === 'in' || op === 'notin') {
        p++;
        if (toks[p] !== '(') fail(`found '${toks[p] ?? ''}', expected: '('`);
        p++;
        if (toks[p] === ')') fail(`for 'in', 'notin' operators, values set can't be empty`);
        const values: string[] = [];
        for (;;) {
          const t = toks[p];
          values.push(t === ',' || t === ')' ? '' : ident());
          if (toks[p] === ')') { p++; break; }
          if (toks[p] !== ',') fail(`found '${toks[p] ?? ''}', expected: ',' or ')'`);
          p++;
        }
        req = { key, op, values };
      } else if (op === '>' || op === '<') {
        p++;
        const v = ident();
        if (!/^-?\d+$/.test(v)) fail(`for 'Gt', 'Lt' operators, the value must be an integer`);
        req = { key, op: op === '>' ? 'gt' : 'lt', values: [v] };
      } else {
        return fail(`found '${op}', expected: in, notin, =, ==, !=, gt, lt`);
      }
    }
    if (!validKey(req.key)) fail(`key: Invalid value: ${JSON.stringify(req.key)}: name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`);
    for (const v of req.values) {
      if (req.op !== 'gt' && req.op !== 'lt' && !validValue(v)) {
        fail(`values[0][${req.key}]: Invalid value: ${JSON.stringify(v)}: a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`);
      }
    }
    reqs.push(req);
    if (p >= toks.length) break;
    if (toks[p] !== ',') fail(`found '${toks[p]}', expected: ',' or 'end of string'`);
    p++;
  }
  return reqs;
}

export function matchLabels(reqs: LabelRequirement[], labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const v = l[r.key];
    switch (r.op) {
      case '=': case 'in': return has && r.values.includes(v!);
      case '!=': case 'notin': return !has || !r.values.includes(v!);
      case 'exists': return has;
      case '!': return !has;
      case 'gt': case 'lt': {
        if (!has || !/^-?\d+$/.test(v!)) return false;
        const a = Number(v), b = Number(r.values[0]);
        return r.op === 'gt' ? a > b : a < b;
      }
    }
  });
}

/** Splits on unescaped commas and unescapes `\,` `\=` `\\` like fields.ParseSelector. */
export function parseFieldSelector(selector: string | undefined, r: ResourceDef): FieldRequirement[] {
  if (!selector || !selector.trim()) return [];
  const terms: string[] = [];
  let cur = '';
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i]!;
    if (c === '\\' && i + 1 < selector.length) { cur += c + selector[++i]; continue; }
    if (c === ',') { terms.push(cur); cur = ''; continue; }
    cur += c;
  }
  terms.push(cur);
  const reqs: FieldRequirement[] = [];
  for (const term of terms) {
    if (term === '') continue;
    const m = /^(.*?)(!=|==|=)(.*)$/.exec(term);
    if (!m) throw errors.badRequest(`invalid selector: '${selector}'; can't understand '${term}'`);
    let field = m[1]!;
    const value = m[3]!.replace(/\\(.)/g, (_s, ch: string) => {
      if (ch !== '\\' && ch !== ',' && ch !== '=') throw errors.badRequest(`invalid selector: '${selector}'; invalid escape sequence`);
      return ch;
    });
    field = checkFieldLabel(r, field);
    reqs.push({ field, op: m[2] === '!=' ? '!=' : '=', value });
  }
  return reqs;
}

/** The label as the server's field-label conversion accepts it, or 400 with the real message. */
function checkFieldLabel(r: ResourceDef, label: string): string {
  if (r.kind === 'Pod' && label === 'spec.host') return 'spec.nodeName';
  if (!r.fieldLabels) {
    if (label === 'metadata.name' || label === 'metadata.namespace') return label;
    throw errors.badRequest(`"${label}" is not a known field selector: only "metadata.name", "metadata.namespace"`);
  }
  if (r.fieldLabels.includes(label)) return label;
  throw errors.badRequest(`field label not supported: ${label}`);
}

function get(obj: unknown, path: string[]): unknown {
  let cur = obj;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

/** The selectable field set of an object, computed like each kind's ToSelectableFields. */
export function fieldValue(r: ResourceDef, obj: KubeObject, field: string): string {
  switch (`${r.kind}:${field}`) {
    case 'Pod:spec.hostNetwork': return String(get(obj, ['spec', 'hostNetwork']) === true);
    case 'Node:spec.unschedulable': return String(get(obj, ['spec', 'unschedulable']) === true);
    case 'Pod:status.podIP': {
      const ips = get(obj, ['status', 'podIPs']);
      const first = Array.isArray(ips) ? (ips[0] as { ip?: string } | undefined)?.ip : undefined;
      return first ?? '';
    }
    case 'Pod:status.podIPs': return ''; // accepted by the conversion, absent from the selectable set
    default: {
      const v = get(obj, field.split('.'));
      return typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
    }
  }
}

export function matchFields(r: ResourceDef, reqs: FieldRequirement[], obj: KubeObject): boolean {
  return reqs.every((q) => (fieldValue(r, obj, q.field) === q.value) === (q.op === '='));
}

export type Filter = { labels: LabelRequirement[]; fields: FieldRequirement[] };

export function parseFilter(r: ResourceDef, labelSelector?: string, fieldSelector?: string): Filter {
  return { labels: parseLabelSelector(labelSelector), fields: parseFieldSelector(fieldSelector, r) };
}

export function matches(r: ResourceDef, f: Filter, obj: KubeObject): boolean {
  return matchLabels(f.labels, obj.metadata.labels) && matchFields(r, f.fields, obj);
}
