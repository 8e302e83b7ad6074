/**
 * The plain vocabularies every layer shares, each defined once as a `const` list so that validators
 * (zod enums in button values, definitions files) and types come from the same place.
 */

/** What an answer can be about. */
export const SUBJECT_KINDS = ['container', 'pod', 'service', 'node', 'network', 'ip', 'topic', 'status', 'help', 'report', 'audit', 'changes', 'networkpolicy'] as const;
export type SubjectKind = (typeof SUBJECT_KINDS)[number];

/** Kinds of probe netpeek can send. */
export const PROBE_KINDS = ['icmp', 'tcp', 'http'] as const;
export type ProbeKind = (typeof PROBE_KINDS)[number];

/** What a command's packets can be: the probe kinds, and DNS queries (`dns`, sent to nameservers). */
export const PACKET_KINDS = [...PROBE_KINDS, 'dns'] as const;
export type PacketKind = (typeof PACKET_KINDS)[number];

/** What a button under an answer does; nothing else can be encoded in a button value. */
export const BUTTON_ACTIONS = ['probe', 'ports', 'explain', 'reprobe'] as const;
export type ButtonAction = (typeof BUTTON_ACTIONS)[number];

/**
 * What shell completion offers for an argument or a flag's value: names a backend or a list knows
 * (containers, pods, Services, nodes, namespaces, Docker networks, kubeconfig contexts, explain topics,
 * command names), or `file` to leave it to the shell's own file-name completion.
 */
export const COMPLETION_SOURCES = ['container', 'pod', 'service', 'node', 'namespace', 'network', 'context', 'topic', 'command', 'file'] as const;
export type CompletionSource = (typeof COMPLETION_SOURCES)[number];
