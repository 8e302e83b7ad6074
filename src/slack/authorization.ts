import { sendsPackets, type CommandSpec } from '../core/command.js';
import { FLAG_SPECS, type FlagSpec, type Query } from '../core/query.js';
import { parseEndpointRef } from '../net/endpoint-ref.js';
import type { AccessPolicy } from './slack-config.js';

/**
 * A question probes when its command says it sends packets (always, or with --probe and the question
 * has it). Nothing else decides it: a command cannot skip the probe allow-lists by being new.
 */
export function isProbe(command: CommandSpec, query: Query): boolean {
  return sendsPackets(command, query);
}

export interface AccessRequest {
  user: string;
  channel: string;
  /** A direct message with the bot. */
  isDm: boolean;
  /** The resolved command (aliases already mapped): whether it sends packets, which flags it takes. */
  command: CommandSpec;
  query: Query;
}

export type DenyReason = 'dm' | 'channel' | 'user' | 'probe_channel' | 'probe_user' | 'audit_user' | 'namespace';

export type AccessDecision =
  | {
      allowed: true;
      /** The query with the channel's default namespace / cluster filled in. */
      query: Query;
      /** Namespaces this conversation may see; undefined = no restriction. */
      namespaces?: readonly string[];
      probe: boolean;
    }
  | { allowed: false; reason: DenyReason; message: string; details: string[] };

const listed = (list: readonly string[], id: string): boolean => list.length === 0 || list.includes(id);
const forChannel = <T>(map: ReadonlyMap<string, T>, channel: string): T | undefined => map.get(channel) ?? map.get('*');

/** Namespaces a conversation may see; undefined = every namespace. */
export function channelScope(policy: AccessPolicy, channel: string): readonly string[] | undefined {
  const scope = forChannel(policy.scopes, channel);
  return !scope || scope.includes('*') ? undefined : scope;
}

function deny(reason: DenyReason, message: string, details: string[] = []): AccessDecision {
  return { allowed: false, reason, message, details };
}

/**
 * Who may ask what, where. Pure: the policy from config plus the request → allowed (with the query the
 * command should run) or a refusal whose message says what is not allowed and what would be.
 */
export function decideAccess(policy: AccessPolicy, req: AccessRequest): AccessDecision {
  const { user, channel, isDm, query } = req;
  const takes = (flag: 'namespace' | 'cluster'): boolean => req.command.flags.includes(flag);
  if (isDm && !policy.allowDms) {
    return deny('dm', 'netpeek does not answer direct messages here; ask in a channel where it is enabled.', policy.channels.length ? [`Channels: ${policy.channels.join(', ')}`] : []);
  }
  if (!isDm && !listed(policy.channels, channel)) {
    return deny('channel', `netpeek is not enabled in this channel (${channel}).`, [`Ask in one of: ${policy.channels.join(', ')}`]);
  }
  if (!listed(policy.users, user)) {
    return deny('user', `You (${user}) are not on netpeek's list of allowed users, so it does not answer your questions.`, [
      'Ask the team that runs netpeek to add your user ID to NETPEEK_SLACK_ALLOWED_USERS.',
    ]);
  }
  // The audit log shows everyone's questions: only the users named for it, never "everyone" by default.
  if (req.command.showsAudit && !policy.auditUsers.includes(user)) {
    return deny('audit_user', `You (${user}) may not read netpeek's audit log in Slack.`, [
      'Ask the team that runs netpeek to add your user ID to NETPEEK_SLACK_AUDIT_USERS, or run `netpeek audit` in a terminal where netpeek is configured.',
    ]);
  }
  const probe = isProbe(req.command, query);
  if (probe && !isDm && !listed(policy.probeChannels, channel)) {
    return deny('probe_channel', `Probes (ping, reach, --probe, "Probe now") are not allowed in this channel (${channel}); lookups are.`, [
      `Probes are allowed in: ${policy.probeChannels.join(', ')}`,
      `Without probing: ${lookupHint(query)}`,
    ]);
  }
  if (probe && isDm && policy.probeChannels.length > 0) {
    return deny('probe_channel', 'Probes (ping, reach, --probe, "Probe now") are not allowed in direct messages; lookups are.', [
      `Probes are allowed in: ${policy.probeChannels.join(', ')}`,
    ]);
  }
  if (probe && !listed(policy.probeUsers, user)) {
    return deny('probe_user', `You (${user}) are not allowed to run probes (ping, reach, --probe, "Probe now"); lookups work.`, [
      `Without probing: ${lookupHint(query)}`,
    ]);
  }

  const flags = { ...query.flags };
  const namespaces = channelScope(policy, channel);
  // -A in a scoped conversation means every namespace it may see: the lookups list the union of the scope
  // (deps.namespaces), so no -n is needed and none is filled in; a -n given with it is still checked.
  const everywhere = flags.allNamespaces === true && req.command.flags.includes('allNamespaces');
  if (everywhere && namespaces && flags.namespace !== undefined && !namespaces.includes(flags.namespace)) {
    return deny('namespace', `Namespace "${flags.namespace}" is not allowed in this conversation; it may see: ${namespaces.join(', ')}.`, [
      `Example: ${[query.command, ...query.args].join(' ')} -A`,
    ]);
  }
  const named = namespacesNamed(req.command, query);
  const outside = named.namespaces.find((ns) => namespaces !== undefined && !namespaces.includes(ns));
  if (namespaces && outside !== undefined) {
    return deny('namespace', `Namespace "${outside}" is not allowed in this conversation; it may see: ${namespaces.join(', ')}.`, [
      `Example: ${query.command} ${namespaces[0]}/<name>`,
    ]);
  }
  // Targets that all name their namespace (`ping shop/web-1`) need no -n, and get no default filled in.
  if (takes('namespace') && !everywhere && !(named.every && flags.namespace === undefined)) {
    const fallback = forChannel(policy.defaultNamespaces, channel) ?? (namespaces?.length === 1 ? namespaces[0] : undefined);
    const ns = flags.namespace ?? (namespaces ? fallback : forChannel(policy.defaultNamespaces, channel));
    if (namespaces) {
      if (ns === undefined) {
        return deny('namespace', `This conversation may only see the namespaces ${namespaces.join(', ')}; say which one with -n.`, [
          `Example: ${[query.command, ...query.args].join(' ')} -n ${namespaces[0]}`,
        ]);
      }
      if (!namespaces.includes(ns)) {
        return deny('namespace', `Namespace "${ns}" is not allowed in this conversation; it may see: ${namespaces.join(', ')}.`, [
          `Example: ${[query.command, ...query.args].join(' ')} -n ${namespaces[0]}`,
        ]);
      }
    }
    if (ns !== undefined) flags.namespace = ns;
  }
  if (takes('cluster') && flags.cluster === undefined) {
    const cluster = forChannel(policy.defaultClusters, channel);
    if (cluster) flags.cluster = cluster;
  }
  return { allowed: true, query: { ...query, flags }, probe, ...(namespaces ? { namespaces } : {}) };
}

/**
 * The namespaces a question's targets name themselves (`ping shop/web-1`, `reach pod/shop/a payments/b`,
 * `--from shop/web-1`), read by the parser the commands use; `every` when each argument names one. The
 * targets are a probe's or a path's arguments, any argument that takes a pod, and the flags whose value
 * is one (all from the registry).
 * A target that does not parse names nothing here: the command refuses it with its own message.
 */
function namespacesNamed(cmd: CommandSpec, query: Query): { namespaces: string[]; every: boolean } {
  const targets = cmd.subject.role === 'probe' || cmd.subject.role === 'path';
  const args = cmd.args.flatMap((a, i) => ((targets || a.completes?.includes('pod')) && query.args[i] !== undefined ? [query.args[i]!] : []));
  const flagValues = cmd.flags.flatMap((f) => {
    const value = query.flags[f];
    return (FLAG_SPECS[f] as FlagSpec).completes?.includes('pod') && typeof value === 'string' ? [value] : [];
  });
  const namespaceOf = (w: string): string | undefined => {
    try {
      const ref = parseEndpointRef(w);
      return ref.kind === 'pod' ? ref.namespace : undefined;
    } catch {
      return undefined;
    }
  };
  const named = (words: string[]) => words.map(namespaceOf).filter((ns): ns is string => ns !== undefined);
  const ofArgs = named(args);
  // -n is the arguments' namespace (a --from may be in another), so only they decide whether it is needed.
  return { namespaces: [...ofArgs, ...named(flagValues)], every: args.length > 0 && ofArgs.length === args.length };
}

function lookupHint(query: Query): string {
  const target = query.args[0];
  return target ? `container ${target} or pod ${target}` : 'container <name> or pod <name>';
}
