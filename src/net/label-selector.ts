/**
 * Kubernetes label selectors, parsed and matched without any I/O — the same grammar `kubectl -l` and the
 * API server accept (https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/):
 *
 *   app=web   app==web   tier!=db   env in (prod, staging)   env notin (dev)   release   !canary
 *
 * Requirements are separated by commas and must all hold. An empty selector selects everything.
 */

export type LabelOperator = 'in' | 'notin' | 'exists' | 'doesnotexist';

export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  /** For in/notin; `=` is `in` with one value and `!=` is `notin` with one value, as Kubernetes reads them. */
  values: string[];
}

export interface LabelSelector {
  requirements: LabelRequirement[];
}

/** Where and why a selector could not be read. `offset` is the 0-based position in the text. */
export class LabelSelectorError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'LabelSelectorError';
  }
}

// Name part: up to 63 characters, alphanumeric at both ends, - _ . inside. Prefix: a DNS subdomain.
const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export const SELECTOR_EXAMPLE = 'app=web,tier!=db,env in (prod,staging),!canary';

function checkKey(key: string, at: number): string {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    throw new LabelSelectorError(`"${key}": the prefix before "/" must be a DNS subdomain like example.com/`, at);
  }
  if (!NAME.test(name)) {
    throw new LabelSelectorError(`"${key}" is not a label key: up to 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit`, at);
  }
  return key;
}

function checkValue(value: string, at: number): string {
  if (value !== '' && !NAME.test(value)) {
    throw new LabelSelectorError(`"${value}" is not a label value: up to 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit`, at);
  }
  return value;
}

/** Splits on commas that are not inside parentheses, keeping each part's offset. */
function splitTopLevel(text: string): Array<{ part: string; at: number }> {
  const parts: Array<{ part: string; at: number }> = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if (ch === '(') depth += 1;
    else if (ch === ')') depth = Math.max(0, depth - 1);
    else if (ch === ',' && depth === 0) {
      parts.push({ part: text.slice(start, i), at: start });
      start = i + 1;
    }
  }
  parts.push({ part: text.slice(start), at: start });
  return parts;
}

const SET = /^(\S+?)\s+(in|notin)\s*\((.*)\)$/;
const EQUALITY = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/;

function parseRequirement(raw: string, at: number): LabelRequirement {
  const text = raw.trim();
  const offset = at + raw.indexOf(text.charAt(0));
  if (text === '') throw new LabelSelectorError('an empty requirement (two commas in a row, or a trailing comma)', at);
  if (text.startsWith('!')) {
    return { key: checkKey(text.slice(1).trim(), offset), operator: 'doesnotexist', values: [] };
  }
  const set = SET.exec(text);
  if (set) {
    const values = (set[3] ?? '').split(',').map((v) => v.trim());
    if (values.length === 1 && values[0] === '') throw new LabelSelectorError(`"${text}": ${set[2]} needs at least one value in the parentheses`, offset);
    return { key: checkKey(set[1] ?? '', offset), operator: set[2] as 'in' | 'notin', values: values.map((v) => checkValue(v, offset)) };
  }
  const eq = EQUALITY.exec(text);
  if (eq) {
    return { key: checkKey(eq[1] ?? '', offset), operator: eq[2] === '!=' ? 'notin' : 'in', values: [checkValue(eq[3] ?? '', offset)] };
  }
  if (/^\S+$/.test(text) && !/[=!()]/.test(text)) return { key: checkKey(text, offset), operator: 'exists', values: [] };
  if (/\s(gt|lt)\s/.test(text)) throw new LabelSelectorError(`"${text}": gt and lt only work in node affinity, not in label selectors`, offset);
  throw new LabelSelectorError(`"${text}" is not a label requirement; write key=value, key!=value, key in (a,b), key notin (a,b), key or !key`, offset);
}

/** Parses a selector; throws LabelSelectorError naming the bad requirement and its offset. */
export function parseLabelSelector(text: string): LabelSelector {
  if (text.trim() === '') return { requirements: [] };
  const depthCheck = [...text].reduce((d, ch) => (d < 0 ? d : ch === '(' ? d + 1 : ch === ')' ? d - 1 : d), 0);
  if (depthCheck !== 0) throw new LabelSelectorError(`unbalanced parentheses in "${text}"`, Math.max(0, text.indexOf('(')));
  return { requirements: splitTopLevel(text).map(({ part, at }) => parseRequirement(part, at)) };
}

/** matchLabels / matchExpressions, as in a Deployment's spec.selector. */
export interface SelectorObject {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }>;
}

export function selectorFromObject(o: SelectorObject): LabelSelector {
  const requirements: LabelRequirement[] = Object.entries(o.matchLabels ?? {}).map(([k, v]) => ({ key: checkKey(k, 0), operator: 'in' as const, values: [checkValue(v, 0)] }));
  for (const e of o.matchExpressions ?? []) {
    const operator = ({ In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: 'doesnotexist' } as const)[e.operator];
    const values = (e.values ?? []).map((v) => checkValue(v, 0));
    if ((operator === 'in' || operator === 'notin') && values.length === 0) throw new LabelSelectorError(`${e.key} ${e.operator} needs values`, 0);
    if ((operator === 'exists' || operator === 'doesnotexist') && values.length > 0) throw new LabelSelectorError(`${e.key} ${e.operator} takes no values`, 0);
    requirements.push({ key: checkKey(e.key, 0), operator, values });
  }
  return { requirements };
}

export function matchesLabels(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  return selector.requirements.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    const value = labels[r.key];
    switch (r.operator) {
      case 'exists':
        return has;
      case 'doesnotexist':
        return !has;
      case 'in':
        return has && r.values.includes(value ?? '');
      case 'notin':
        // Kubernetes: notin (and !=) also select objects without the key.
        return !has || !r.values.includes(value ?? '');
    }
  });
}

/** The canonical text form (what kubectl would accept back). */
export function formatLabelSelector(selector: LabelSelector): string {
  return selector.requirements
    .map((r) => {
      if (r.operator === 'exists') return r.key;
      if (r.operator === 'doesnotexist') return `!${r.key}`;
      if (r.values.length === 1) return `${r.key}${r.operator === 'in' ? '=' : '!='}${r.values[0]}`;
      return `${r.key} ${r.operator} (${r.values.join(',')})`;
    })
    .join(',');
}
