import { readFile } from 'node:fs/promises';
import type { FirewallRule } from '../net/docker-user-rules.js';
import { parseDockerUserRules } from '../net/docker-user-rules.js';
import { runProgram } from '../probe/exec.js';

/**
 * Reads this host's DOCKER-USER chain (`iptables -S DOCKER-USER`; with iptables-nft that is the nft
 * ruleset seen through iptables) and whether bridged traffic passes iptables at all
 * (br_netfilter's bridge-nf-call-iptables). Only meaningful when the Docker engine is this host's.
 * Needs CAP_NET_ADMIN (root): without it, the reason is returned, never a guess.
 */
export type DockerUserChain = { ok: true; rules: FirewallRule[]; bridgedThroughIptables: boolean } | { ok: false; reason: string };

export async function readDockerUserChain(timeoutMs = 2000): Promise<DockerUserChain> {
  const [out, bridged] = await Promise.all([
    runProgram('iptables', ['-S', 'DOCKER-USER'], { timeoutMs }),
    readFile('/proc/sys/net/bridge/bridge-nf-call-iptables', 'utf8').then((t) => t.trim() === '1', () => false),
  ]);
  if (out.missing) return { ok: false, reason: 'iptables is not installed on netpeek\'s host' };
  if (out.timedOut) return { ok: false, reason: `iptables -S DOCKER-USER did not answer within ${timeoutMs} ms` };
  if (out.code !== 0) {
    const said = out.stderr.trim().split('\n')[0] ?? '';
    if (/No chain|does not exist/i.test(said)) return { ok: true, rules: [], bridgedThroughIptables: bridged };
    return { ok: false, reason: `iptables -S DOCKER-USER failed (${said || `exit ${out.code}`}); netpeek reads it when it runs as root (CAP_NET_ADMIN) on the Docker host` };
  }
  return { ok: true, rules: parseDockerUserRules(out.stdout), bridgedThroughIptables: bridged };
}
