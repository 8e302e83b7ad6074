import { readFile } from 'node:fs/promises';
import { isMap, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { parseAddress } from '../net/address-policy.js';
import { formatLabelSelector, LabelSelectorError, parseLabelSelector, selectorFromObject, SELECTOR_EXAMPLE, type SelectorObject } from '../net/label-selector.js';
import { PROBE_KINDS, type ProbeKind } from '../core/kinds.js';
import { CronSchedule, ScheduleError } from './schedule.js';

/**
 * Report definitions: a YAML file (NETPEEK_REPORTS_FILE) with a `reports:` list, validated with zod.
 * Each report is checked on its own: a bad one is refused with the field and line that are wrong, and
 * the others load. See deploy/reports.example.yaml for every field.
 */

export type TargetSpec =
  | { kind: 'pods'; label: string; namespace: string; selector: string; ports?: number[] }
  | { kind: 'service'; label: string; namespace: string; name: string; ports?: number[] }
  | { kind: 'containers'; label: string; name?: string; labels?: string; network?: string; ports?: number[] }
  | { kind: 'nodes'; label: string; peers: number; ports?: number[] }
  | { kind: 'address'; label: string; ip: string; port?: number; from?: string };

export interface ReportDefinition {
  name: string;
  description?: string;
  /** Cron pattern (5 or 6 fields, or @hourly…). */
  schedule: string;
  /** IANA time zone the schedule is read in. */
  timezone: string;
  /** Slack channel ID the run is posted to. */
  channel: string;
  /** Post nothing when everything is reachable and nothing changed. */
  quiet: boolean;
  /** Kubernetes context; default the configured one. */
  cluster?: string;
  targets: TargetSpec[];
  probes: ProbeKind[];
  thresholds: {
    /** ok targets slower than this are listed as slow. */
    latencyWarnMs?: number;
    /** ICMP loss above this fails a target that still answered sometimes (0–100). */
    lossPct: number;
  };
  /** Per probe, ms. */
  timeoutMs: number;
  /** ICMP echo requests per target. */
  count: number;
  /** Line of the report in the file (1-based). */
  line: number;
}

/** Why a report (or the whole file) was refused. */
export interface DefinitionProblem {
  file: string;
  /** The report's name when it could be read. */
  report?: string;
  /** e.g. reports[1].targets[0].pods.selector */
  field: string;
  line: number;
  column: number;
  message: string;
}

export function formatProblem(p: DefinitionProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.report ? `report ${p.report}: ` : ''}${p.field ? `${p.field}: ` : ''}${p.message}`;
}

export interface LoadedDefinitions {
  reports: ReportDefinition[];
  problems: DefinitionProblem[];
}

export interface LoadOptions {
  /** Shown in problems. */
  file?: string;
  /**
   * Channels reports may post to (NETPEEK_SLACK_ALLOWED_CHANNELS). Empty or absent: any channel ID. A
   * channel outside a non-empty list is an unknown channel and refuses the report.
   */
  knownChannels?: readonly string[];
}

const REPORT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const RFC1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const CHANNEL_ID = /^[CGD][A-Z0-9]{2,}$/;
const NODE_NAME = /^[A-Za-z0-9._-]{1,253}$/;

const port = z.number({ invalid_type_error: 'must be a port number 1-65535' }).int('must be a whole number').min(1, 'must be 1-65535').max(65535, 'must be 1-65535');
const ports = z.array(port).min(1, 'needs at least one port').max(16, 'at most 16 ports per target').optional();
const namespace = z.string({ required_error: 'is required' }).regex(RFC1123_LABEL, 'must be a Kubernetes namespace name (lowercase letters, digits and -)');

const selectorObject = z
  .object({
    matchLabels: z.record(z.string()).optional(),
    matchExpressions: z
      .array(z.object({ key: z.string(), operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']), values: z.array(z.string()).optional() }).strict())
      .optional(),
  })
  .strict();

/** A selector in text or matchLabels/matchExpressions form → its canonical text; a syntax error becomes a zod issue. */
const selector = z.union([z.string(), selectorObject]).transform((s, ctx) => {
  try {
    return formatLabelSelector(typeof s === 'string' ? parseLabelSelector(s) : selectorFromObject(s as SelectorObject));
  } catch (err) {
    const msg = err instanceof LabelSelectorError ? err.message : String(err);
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `is not a label selector: ${msg} (e.g. ${SELECTOR_EXAMPLE})` });
    return z.NEVER;
  }
});

const podsSpec = z.object({ namespace, selector: selector.optional(), ports }).strict();
const serviceSpec = z.object({ namespace, name: z.string({ required_error: 'is required' }).regex(RFC1123_LABEL, 'must be a Service name'), ports }).strict();
const containersSpec = z
  .object({ name: z.string().min(1).max(255).regex(/^[A-Za-z0-9*][A-Za-z0-9_.*-]*$/, 'must be a container name, optionally with * wildcards').optional(), label: selector.optional(), network: z.string().min(1).optional(), ports })
  .strict()
  .refine((c) => c.name !== undefined || c.label !== undefined || c.network !== undefined, { message: 'needs name, label or network to choose containers' });
const nodesSpec = z.object({ peers: z.number().int('must be a whole number').min(1, 'must be at least 1').max(50, 'at most 50 peers per node').default(3), ports }).strict();

/** "10.0.0.5", "10.0.0.5:80", "[fd00::1]:443" or "fd00::1". */
export function parseHostPort(text: string): { ip: string; port?: number } | { error: string } {
  const t = text.trim();
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(t);
  const v4 = /^([0-9.]+)(?::(\d{1,5}))?$/.exec(t);
  const [host, portText] = bracketed ? [bracketed[1], bracketed[2]] : v4 ? [v4[1], v4[2]] : [t, undefined];
  const parsed = parseAddress(host ?? '');
  if (!parsed.ok) return { error: `"${text}" is not an address: ${parsed.reason} (e.g. 10.96.0.10:53 or [fd00::1]:80)` };
  if (portText === undefined) return { ip: parsed.ip };
  const p = Number(portText);
  if (p < 1 || p > 65535) return { error: `port ${portText} in "${text}" is not 1-65535` };
  return { ip: parsed.ip, port: p };
}

const addressSpec = z
  .object({
    address: z.string().transform((s, ctx) => {
      const r = parseHostPort(s);
      if ('error' in r) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: r.error });
        return z.NEVER;
      }
      return r;
    }),
    from: z.string().regex(NODE_NAME, 'must be a node name or docker-host').optional(),
  })
  .strict();

const TARGET_KINDS = ['pods', 'service', 'containers', 'nodes', 'address'] as const;

/** One `targets:` entry: exactly one of pods / service / containers / nodes / address. */
const target = z.unknown().transform((input, ctx): TargetSpec => {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must be a map such as `pods: { namespace: default, selector: app=web }` or `address: 10.96.0.10:53`' });
    return z.NEVER;
  }
  const raw = input as Record<string, unknown>;
  const kinds = TARGET_KINDS.filter((k) => k in raw);
  if (kinds.length !== 1) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message: kinds.length === 0 ? `needs one of ${TARGET_KINDS.join(', ')} (found ${Object.keys(raw).join(', ') || 'nothing'})` : `has ${kinds.join(' and ')}; write one target per list entry`,
    });
    return z.NEVER;
  }
  const kind = kinds[0] as (typeof TARGET_KINDS)[number];
  // Parses one kind's body, re-raising its issues under the kind's key so they point at the right line.
  const sub = <T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, body: unknown, prefix: (string | number)[]): T | undefined => {
    const r = schema.safeParse(body);
    if (r.success) return r.data;
    for (const i of r.error.issues) ctx.addIssue({ ...i, path: [...prefix, ...i.path] } as z.IssueData);
    return undefined;
  };
  if (kind === 'address') {
    const d = sub(addressSpec, raw, []);
    if (!d) return z.NEVER;
    const { ip, port: p } = d.address;
    return { kind, label: `address ${p !== undefined ? (ip.includes(':') ? `[${ip}]:${p}` : `${ip}:${p}`) : ip}`, ip, ...(p !== undefined ? { port: p } : {}), ...(d.from ? { from: d.from } : {}) };
  }
  const extra = Object.keys(raw).filter((k) => k !== kind);
  if (extra.length) {
    ctx.addIssue({ code: z.ZodIssueCode.unrecognized_keys, keys: extra, message: `unknown field${extra.length > 1 ? 's' : ''} ${extra.join(', ')} next to ${kind}` });
    return z.NEVER;
  }
  const body = raw[kind] ?? {};
  if (kind === 'pods') {
    const d = sub(podsSpec, body, [kind]);
    if (!d) return z.NEVER;
    const sel = d.selector ?? '';
    return { kind, label: `pods ${d.namespace}${sel ? ` ${sel}` : ''}`, namespace: d.namespace, selector: sel, ...(d.ports ? { ports: d.ports } : {}) };
  }
  if (kind === 'service') {
    const d = sub(serviceSpec, body, [kind]);
    if (!d) return z.NEVER;
    return { kind, label: `service ${d.namespace}/${d.name}`, namespace: d.namespace, name: d.name, ...(d.ports ? { ports: d.ports } : {}) };
  }
  if (kind === 'containers') {
    const d = sub(containersSpec, body, [kind]);
    if (!d) return z.NEVER;
    const what = [d.name && `name=${d.name}`, d.label && `label ${d.label}`, d.network && `network=${d.network}`].filter(Boolean).join(' ');
    return { kind, label: `containers ${what}`, ...(d.name ? { name: d.name } : {}), ...(d.label ? { labels: d.label } : {}), ...(d.network ? { network: d.network } : {}), ...(d.ports ? { ports: d.ports } : {}) };
  }
  const d = sub(nodesSpec, body ?? {}, [kind]);
  if (!d) return z.NEVER;
  return { kind: 'nodes', label: `nodes (${d.peers} peers each)`, peers: d.peers, ...(d.ports ? { ports: d.ports } : {}) };
});

function reportSchema(knownChannels: readonly string[]) {
  return z
    .object({
      name: z.string({ required_error: 'is required' }).max(63, 'at most 63 characters').regex(REPORT_NAME, 'must be lowercase letters, digits and - (it names the report\'s state ConfigMap)'),
      description: z.string().max(300).optional(),
      schedule: z.string({ required_error: 'is required (a cron pattern such as "0 * * * *")' }),
      timezone: z.string().default('UTC'),
      channel: z.string({ required_error: 'is required (a Slack channel ID such as C0123ABCD)' }),
      quiet: z.boolean({ invalid_type_error: 'must be true or false' }).default(false),
      cluster: z.string().min(1).optional(),
      targets: z.array(target, { required_error: 'is required: what to probe', invalid_type_error: 'must be a list' }).min(1, 'needs at least one target'),
      probes: z.array(z.enum(PROBE_KINDS, { errorMap: () => ({ message: `must be ${PROBE_KINDS.slice(0, -1).join(', ')} or ${PROBE_KINDS.at(-1)}` }) })).min(1).default(['icmp', 'tcp']),
      thresholds: z
        .object({
          latencyWarnMs: z.number().positive('must be more than 0').optional(),
          lossPct: z.number().min(0, 'must be 0-100').max(100, 'must be 0-100').default(0),
        })
        .strict()
        .default({}),
      timeoutMs: z.number().int().min(50, 'must be at least 50').max(10_000, 'at most 10000').default(1000),
      count: z.number().int().min(1, 'must be 1-10').max(10, 'must be 1-10').default(1),
    })
    .strict()
    .superRefine((r, ctx) => {
      try {
        new CronSchedule(r.schedule, r.timezone);
      } catch (err) {
        const msg = err instanceof ScheduleError ? err.message : String(err);
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: [/time zone/.test(msg) ? 'timezone' : 'schedule'], message: msg });
      }
      if (r.channel.startsWith('#')) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['channel'], message: `use the channel's ID (e.g. C0123ABCD, under "About" in the channel details), not its name ${r.channel}` });
      } else if (!CHANNEL_ID.test(r.channel)) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['channel'], message: `"${r.channel}" is not a Slack channel ID (e.g. C0123ABCD)` });
      } else if (knownChannels.length > 0 && !knownChannels.includes(r.channel)) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['channel'], message: `unknown channel ${r.channel}: netpeek only posts in ${knownChannels.join(', ')} (NETPEEK_SLACK_ALLOWED_CHANNELS)` });
      }
    });
}

type Path = (string | number)[];

function fieldName(path: Path): string {
  return path.reduce<string>((s, p) => (typeof p === 'number' ? `${s}[${p}]` : s ? `${s}.${p}` : String(p)), '');
}

/** The line and column of the deepest node on `path` that exists (a missing field points at its parent). */
function locate(doc: Document, lc: LineCounter, path: Path, key?: string): { line: number; column: number } {
  for (let n = path.length; n >= 0; n -= 1) {
    const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number]; items?: Array<{ key?: { value?: unknown; range?: [number, number, number] } }> } | undefined;
    if (!node?.range) continue;
    if (key !== undefined && n === path.length && isMap(node)) {
      const pair = node.items.find((i) => (i.key as { value?: unknown } | null)?.value === key);
      const range = (pair?.key as { range?: [number, number, number] } | undefined)?.range;
      if (range) {
        const pos = lc.linePos(range[0]);
        return { line: pos.line, column: pos.col };
      }
    }
    const pos = lc.linePos(node.range[0]);
    return { line: pos.line, column: pos.col };
  }
  return { line: 1, column: 1 };
}

/** Parses definitions text. Never throws: every problem is returned, and every good report loads. */
export function parseDefinitions(text: string, opts: LoadOptions = {}): LoadedDefinitions {
  const file = opts.file ?? 'reports.yaml';
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    return {
      reports: [],
      problems: doc.errors.map((e) => ({ file, field: '', line: e.linePos?.[0].line ?? 1, column: e.linePos?.[0].col ?? 1, message: `the file is not valid YAML: ${e.message.split('\n')[0]}` })),
    };
  }
  const root = doc.contents;
  const list = isMap(root) ? root.get('reports', true) : undefined;
  if (!isMap(root) || !isSeq(list)) {
    const at = locate(doc, lc, isMap(root) ? ['reports'] : []);
    return { reports: [], problems: [{ file, field: 'reports', ...at, message: 'the file needs a top-level `reports:` list (see deploy/reports.example.yaml)' }] };
  }
  const extraTop = isMap(root) ? root.items.map((i) => String((i.key as { value?: unknown } | null)?.value)).filter((k) => k !== 'reports') : [];
  const problems: DefinitionProblem[] = extraTop.map((k) => ({ file, field: k, ...locate(doc, lc, [], k), message: 'unknown top-level field; only `reports:` is read' }));
  const schema = reportSchema(opts.knownChannels ?? []);
  const reports: ReportDefinition[] = [];
  const seen = new Map<string, number>();
  list.items.forEach((item, i) => {
    const base: Path = ['reports', i];
    const raw = (item as { toJSON?: () => unknown }).toJSON?.() ?? item;
    const name = raw && typeof raw === 'object' && typeof (raw as { name?: unknown }).name === 'string' ? (raw as { name: string }).name : undefined;
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const keys = issue.code === z.ZodIssueCode.unrecognized_keys ? issue.keys : [undefined];
        for (const key of keys) {
          const path = [...base, ...issue.path];
          const message = key !== undefined ? `unknown field "${key}"` : issue.message === 'Required' ? 'is required' : issue.message;
          problems.push({ file, ...(name ? { report: name } : {}), field: fieldName(key !== undefined ? [...path, key] : path), ...locate(doc, lc, path, key), message });
        }
      }
      return;
    }
    const d = parsed.data;
    const line = locate(doc, lc, base).line;
    const dup = seen.get(d.name);
    if (dup !== undefined) {
      problems.push({ file, report: d.name, field: fieldName([...base, 'name']), ...locate(doc, lc, [...base, 'name']), message: `a report named ${d.name} is already defined on line ${dup}` });
      return;
    }
    seen.set(d.name, line);
    reports.push({
      name: d.name,
      ...(d.description ? { description: d.description } : {}),
      schedule: d.schedule,
      timezone: d.timezone,
      channel: d.channel,
      quiet: d.quiet,
      ...(d.cluster ? { cluster: d.cluster } : {}),
      targets: d.targets,
      probes: [...new Set(d.probes)],
      thresholds: { ...(d.thresholds.latencyWarnMs !== undefined ? { latencyWarnMs: d.thresholds.latencyWarnMs } : {}), lossPct: d.thresholds.lossPct },
      timeoutMs: d.timeoutMs,
      count: d.count,
      line,
    });
  });
  return { reports, problems };
}

/** Reads and parses the definitions file; a missing or unreadable file is a problem, not an exception. */
export async function loadDefinitionsFile(path: string, opts: Omit<LoadOptions, 'file'> = {}): Promise<LoadedDefinitions> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'the file does not exist' : code === 'EACCES' ? 'netpeek may not read it' : (err as Error).message;
    return { reports: [], problems: [{ file: path, field: '', line: 0, column: 0, message: `${why} (NETPEEK_REPORTS_FILE)` }] };
  }
  return parseDefinitions(text, { ...opts, file: path });
}
