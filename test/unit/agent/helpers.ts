import { loadAgentConfig, type AgentConfig } from '../../../src/agent/agent-config.js';
import { signRequest } from '../../../src/probe/request-signature.js';
import type { ProbeOptions, ProbeResult, ProbeTarget, Prober } from '../../../src/probe/types.js';

export const SECRET = 'test-secret-0123456789abcdef';

/** Records every batch it is asked to run; answers "ok" itself (sends nothing) unless it wraps a real prober. */
export class RecordingProber implements Prober {
  readonly calls: Array<{ targets: ProbeTarget[]; opts: ProbeOptions }> = [];
  /** Makes each batch take this long (to hold in-flight slots). */
  delayMs = 0;

  constructor(private readonly inner?: Prober) {}

  async probe(targets: ProbeTarget[], opts: ProbeOptions): Promise<ProbeResult[]> {
    this.calls.push({ targets, opts });
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.inner) return this.inner.probe(targets, opts);
    return targets.map((t) => ({ kind: t.kind, ip: t.ip, ...(t.port ? { port: t.port } : {}), ok: true, ms: 0.5 }));
  }
}

/** A config for tests: loopback, ephemeral port, the given allow-list. */
export function testConfig(env: Record<string, string> = {}, overrides: Partial<AgentConfig> = {}): AgentConfig {
  return loadAgentConfig({ NETPEEK_AGENT_SECRET: SECRET, NETPEEK_AGENT_LISTEN: '127.0.0.1:0', NETPEEK_NODE_NAME: 'test-node', ...env }, overrides);
}

export interface PostOptions {
  secret?: string;
  now?: number;
  nonce?: string;
  /** Replaces the signature headers entirely (e.g. {} for unsigned). */
  headers?: Record<string, string>;
  path?: string;
}

/** POSTs a body to /v1/probe, signed unless told otherwise. */
export async function post(baseUrl: string, body: unknown, o: PostOptions = {}): Promise<{ status: number; json: any; headers: Headers }> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const path = o.path ?? '/v1/probe';
  const signature = o.headers ?? signRequest(o.secret ?? SECRET, { method: 'POST', path, body: text }, { now: o.now, nonce: o.nonce });
  const res = await fetch(`${baseUrl}${path}`, { method: 'POST', body: text, headers: { 'content-type': 'application/json', ...signature } });
  const raw = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    json = raw;
  }
  return { status: res.status, json, headers: res.headers };
}
