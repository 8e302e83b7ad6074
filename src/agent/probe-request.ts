import { z } from 'zod';
import type { ProbeTarget } from '../probe/types.js';
import { WORKLOAD_REF_SCHEMA } from '../probe/workload-wire.js';
import { HttpError } from './http-io.js';

/** The body of POST /v1/probe. Unknown fields are refused so typos do not pass silently. */
const ip = z.string().min(1).max(100);
const port = z.number().int().min(1).max(65535);
const path = z
  .string()
  .max(2048)
  .regex(/^\/[\x21-\x7e]*$/, 'must start with / and contain no spaces or control characters');

export const PROBE_TARGET_SCHEMA = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('icmp'), ip }).strict(),
  z.object({ kind: z.literal('tcp'), ip, port }).strict(),
  z.object({ kind: z.literal('http'), ip, port, path: path.optional() }).strict(),
]);

export const PROBE_REQUEST_SCHEMA = z
  .object({
    probes: z.array(PROBE_TARGET_SCHEMA).min(1, 'must list at least one target'),
    timeoutMs: z.number().int().min(10).max(10_000).default(1000),
    count: z.number().int().min(1).max(10).default(1),
    deadlineMs: z.number().int().min(10).max(120_000).optional(),
    /** Probe from inside this workload's network namespace (opt-in on the agent: NETPEEK_AGENT_WORKLOAD_VANTAGE). */
    from: WORKLOAD_REF_SCHEMA.optional(),
  })
  .strict();

export type ProbeRequest = z.infer<typeof PROBE_REQUEST_SCHEMA> & { probes: ProbeTarget[] };

/** JSON → request, or a 400 naming the field (413 when there are more targets than the agent takes). */
export function parseProbeRequest(body: Buffer, maxTargets: number): ProbeRequest {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new HttpError(400, `body is not valid JSON: ${(err as Error).message}`);
  }
  const count = (json as { probes?: unknown })?.probes;
  if (Array.isArray(count) && count.length > maxTargets)
    throw new HttpError(413, `probes: ${count.length} targets in one request; this agent takes at most ${maxTargets}`, { field: 'probes', max: maxTargets });
  const parsed = PROBE_REQUEST_SCHEMA.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') || '(body)';
    throw new HttpError(400, `invalid request: ${field}: ${issue?.message ?? 'invalid'}`, { field });
  }
  return parsed.data;
}
