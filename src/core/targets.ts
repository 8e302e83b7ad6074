import type { CommandRegistryView, CommandSpec } from './command.js';
import { UserError } from './errors.js';
import type { SubjectKind } from './kinds.js';
import type { Query } from './query.js';

/** Kubernetes kinds, the ones kubectl's `TYPE/NAME` form is for (a Docker name may start with "/"). */
const KUBERNETES: ReadonlySet<SubjectKind> = new Set(['pod', 'service', 'node']);
/** Kinds that live in a namespace, so `NS/NAME` means something for them. */
const NAMESPACED: ReadonlySet<SubjectKind> = new Set(['pod', 'service']);

/**
 * The words a kind of subject is typed as in `TYPE/NAME` (kubectl's form): the name and aliases of its
 * lookup command, singular and plural (`pod`, `po`, `pods`; `svc`, `service`, `services`). Derived from
 * the registry, so a new lookup command gets its own form.
 */
export function typeWords(registry: CommandRegistryView): Map<string, SubjectKind> {
  const words = new Map<string, SubjectKind>();
  for (const cmd of registry.list()) {
    if (cmd.subject.role !== 'lookup') continue;
    for (const w of [cmd.name, ...(cmd.aliases ?? [])]) {
      words.set(w, cmd.subject.kind);
      words.set(`${w}s`, cmd.subject.kind);
    }
  }
  return words;
}

/**
 * A lookup's target in kubectl's forms → the plain name, with `NS/NAME` turned into `-n NS`:
 * `pod pod/web-1`, `pod po/web-1`, `svc service/web`, `pod shop/web-1`, `pod pod/shop/web-1` (not kubectl,
 * but what people paste). A TYPE of another kind says which command answers it. Other commands keep
 * their targets as typed: ping and reach read `pod/…`, `container/…` and `NS/NAME` themselves.
 */
export function normalizeTarget(cmd: CommandSpec, query: Query, registry: CommandRegistryView): Query {
  const raw = query.args[0];
  if (cmd.subject.role !== 'lookup' || raw === undefined || !raw.includes('/')) return query;
  const kind = cmd.subject.kind;
  if (!KUBERNETES.has(kind)) return query;
  const parts = raw.split('/');
  const words = typeWords(registry);
  let name = raw;
  let namespace: string | undefined;
  const typed = words.get(parts[0]!.toLowerCase());
  if (typed !== undefined && parts.length >= 2) {
    if (typed !== kind) {
      const other = registry.lookupFor(typed);
      throw new UserError(`"${raw}" names a ${typed}, and ${cmd.name} looks up a ${kind}.`, [`Ask \`${other?.name ?? typed} ${parts.slice(1).join('/')}\` instead.`]);
    }
    parts.shift();
  }
  if (parts.length === 2 && NAMESPACED.has(kind)) [namespace, name] = parts as [string, string];
  else if (parts.length === 1) name = parts[0]!;
  else {
    const form = NAMESPACED.has(kind) ? `${cmd.name} <name>, ${cmd.name} ${kind}/<name> or ${cmd.name} <namespace>/<name>` : `${cmd.name} <name> or ${cmd.name} ${kind}/<name>`;
    throw new UserError(`"${raw}" is not a ${kind} reference netpeek reads.`, [`Accepted: ${form}`, `Example: ${cmd.examples[0] ?? cmd.name}`]);
  }
  if (namespace !== undefined && query.flags.namespace !== undefined && query.flags.namespace !== namespace) {
    throw new UserError(`"${raw}" says namespace ${namespace}, and -n says ${query.flags.namespace}; give one.`, [`Example: ${cmd.name} ${namespace}/${name}`]);
  }
  const flags = namespace !== undefined ? { ...query.flags, namespace } : query.flags;
  return { ...query, args: [name, ...query.args.slice(1)], flags };
}
