/**
 * Which agent probes from which node. The static map comes from configuration (NETPEEK_AGENTS); in
 * Kubernetes, KubeAgentDirectory follows the agent DaemonSet's pods.
 */
export interface AgentDirectory {
  /**
   * The agent on `node`, or undefined when none is known. `context` names the Kubernetes context the
   * node belongs to (a directory that follows the agent DaemonSet needs it; a static map ignores it).
   */
  agentFor(node: string, context?: string): { url: string } | undefined | Promise<{ url: string } | undefined>;
}

/** Asks each directory in turn; the first that knows the node wins (config overrides discovery). */
export class ChainedAgentDirectory implements AgentDirectory {
  constructor(private readonly directories: readonly AgentDirectory[]) {}

  async agentFor(node: string, context?: string): Promise<{ url: string } | undefined> {
    for (const d of this.directories) {
      const found = await d.agentFor(node, context);
      if (found) return found;
    }
    return undefined;
  }
}

/** Parses `node-a=http://10.0.0.11:7070,node-b=http://10.0.0.12:7070` (commas or whitespace between pairs). */
export function parseAgentMap(spec: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const pair of spec.split(/[\s,]+/).filter((p) => p !== '')) {
    const eq = pair.indexOf('=');
    const node = pair.slice(0, eq).trim();
    const url = pair.slice(eq + 1).trim();
    if (eq <= 0 || !/^[A-Za-z0-9._-]{1,253}$/.test(node)) throw new Error(`${JSON.stringify(pair)} is not node=url (e.g. node-a=http://10.0.0.11:7070)`);
    if (map.has(node)) throw new Error(`node ${node} is listed twice`);
    map.set(node, normaliseAgentUrl(url));
  }
  return map;
}

/** Checks an agent base URL (http or https, no credentials, no query) and drops a trailing slash. */
export function normaliseAgentUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new Error(`${JSON.stringify(raw)} is not a URL like http://10.0.0.11:7070`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`${JSON.stringify(raw)} must be http:// or https://`);
  if (u.username || u.password || u.search || u.hash) throw new Error(`${JSON.stringify(raw)} must not carry credentials, a query or a fragment`);
  return u.toString().replace(/\/+$/, '');
}

export class StaticAgentDirectory implements AgentDirectory {
  private readonly map: Map<string, string>;

  constructor(entries: Record<string, string> | Map<string, string>) {
    const pairs = entries instanceof Map ? [...entries] : Object.entries(entries);
    this.map = new Map(pairs.map(([node, url]) => [node, normaliseAgentUrl(url)]));
  }

  static fromSpec(spec: string): StaticAgentDirectory {
    return new StaticAgentDirectory(parseAgentMap(spec));
  }

  agentFor(node: string): { url: string } | undefined {
    const url = this.map.get(node);
    return url === undefined ? undefined : { url };
  }

  nodes(): string[] {
    return [...this.map.keys()].sort();
  }
}
