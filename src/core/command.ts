import type { Answer } from './answer.js';
import type { FlagName, Query } from './query.js';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { DockerSource } from '../sources/docker.js';
import type { KubeSource } from '../sources/kubernetes.js';
import type { ProbeService } from '../probe/vantage.js';
import type { ResolveOptions } from '../sources/probe-targets.js';

/**
 * What a command may use. Adapters build it once; commands never construct clients themselves.
 * A source is absent when its backend is not configured or not reachable at start.
 */
export interface Deps {
  config: Config;
  log: Logger;
  docker?: DockerSource;
  /** Kubernetes contexts with their watch caches. */
  kube?: KubeSource;
  /** Sends probes from the Docker host or a node's agent. */
  probes?: ProbeService;
  /**
   * Pod and pod-CIDR placement for probe targets, per cluster context and within a namespace scope
   * (installed with the Kubernetes source).
   */
  probeResolvers?: (cluster?: string, scope?: { namespaces?: readonly string[] }) => Pick<ResolveOptions, 'pods' | 'placeAddress'>;
  /**
   * Kubernetes namespaces this conversation may see (a Slack channel's scope); undefined = all.
   * Lookups filter lists, suggestions and candidates by it.
   */
  namespaces?: readonly string[];
  /** The registered commands, for `help`. */
  registry?: CommandRegistryView;
}

/** The registry as commands see it (help lists commands through this). */
export interface CommandRegistryView {
  list(): readonly Command[];
  find(name: string): Command | undefined;
}

export interface ArgSpec {
  /** Placeholder shown in usage, e.g. "<name|id-prefix>". */
  name: string;
  required: boolean;
}

export interface Command {
  name: string;
  aliases?: string[];
  /** One line for the command list. */
  summary: string;
  /** Positional arguments, in order. */
  args: ArgSpec[];
  /** Flags this command accepts besides --json/--public/--help. */
  flags: FlagName[];
  /** Typical invocations, shown in help and in error messages. */
  examples: string[];
  /** Longer description for `help <command>`. */
  description?: string;
  run(query: Query, deps: Deps): Promise<Answer>;
}
