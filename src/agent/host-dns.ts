import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { DNS_RECORD_TYPES } from '../core/query.js';
import { candidateNames, parseResolvConf } from '../net/resolv-conf.js';
import { allowedNameservers, resolveCandidates, type DnsLookup } from '../probe/dns.js';
import { sendJson } from './http-io.js';
import { authenticate, readBodyLimited, rememberNonce, takeRateToken, type Handler } from './request-gate.js';
import { parseWorkloadBody } from './workload.js';

/** The body of POST /v1/dns: a name, its record type, the per-query timeout. */
export const HOST_DNS_REQUEST = z
  .object({
    name: z.string().min(1).max(254),
    type: z.enum(DNS_RECORD_TYPES).default('A'),
    timeoutMs: z.number().int().min(10).max(10_000).default(1500),
  })
  .strict();

/**
 * POST /v1/dns: a name resolved the way this node resolves it. The agent runs in the node's network
 * namespace (hostNetwork), so the queries leave from the node; it follows the resolv.conf at
 * NETPEEK_AGENT_RESOLV_CONF (default its own /etc/resolv.conf, which with the shipped dnsPolicy
 * ClusterFirstWithHostNet is what host-network pods of the node use). A query is a packet like a probe:
 * every nameserver passes the allow-list first (loopback and link-local too, only when listed); the
 * others are named, never queried. No opt-in beyond the base agent: a UDP query needs no capability.
 */
export const handleHostDns: Handler = async (ctx, req, res, log) => {
  const body = await readBodyLimited(req, res, ctx.config.maxBodyBytes, log);
  if (!body) return;
  const signed = authenticate(ctx, req, body);
  takeRateToken(ctx);
  const q = parseWorkloadBody(body, HOST_DNS_REQUEST);
  rememberNonce(ctx, signed);
  const path = ctx.config.resolvConf;
  const conf = parseResolvConf(await readFile(path, 'utf8').catch(() => ''));
  const candidates = candidateNames(q.name, conf, q.type);
  const { allowed, denied } = allowedNameservers(conf.nameservers, ctx.allowList, false);
  const results = await resolveCandidates({ candidates, type: q.type, nameservers: allowed, timeoutMs: q.timeoutMs });
  const lookup: DnsLookup = { from: `node ${ctx.config.nodeName}`, resolvConfPath: path, conf, candidates, results, deniedNameservers: denied };
  log?.debug({ name: q.name, nameservers: allowed.length, denied: denied.length }, 'host dns answered');
  sendJson(res, 200, { node: ctx.config.nodeName, ...lookup });
};
