import { AllowList } from '../net/address-policy.js';
import { allowedNameservers, resolveCandidates, type DnsRequest } from './dns.js';
import { LocalProber } from './local-prober.js';
import type { ProbeOptions, ProbeTarget } from './types.js';

/**
 * The program NamespaceProber runs under `nsenter --net=<the namespace>`: the same LocalProber as the host's, so ICMP,
 * TCP and HTTP from inside a workload have exactly the shape and rules of every other probe. It reads one
 * JSON request from argv (no stdin protocol to get wrong) and prints the results as one JSON line.
 * The allow-list travels with the request and is checked again here: defence in depth, since this process
 * is the one that sends the packets.
 */
type ChildRequest = {
  allow: { cidrs: string[]; ports: string };
} & (
  | { targets: ProbeTarget[]; options: Pick<ProbeOptions, 'timeoutMs' | 'deadlineMs' | 'count'> }
  /** DNS questions, sent from here so that the namespace's own resolver (Docker's 127.0.0.11) answers. */
  | { dns: DnsRequest }
);

async function main(): Promise<void> {
  const request = JSON.parse(process.argv[2] ?? '') as ChildRequest;
  const allowList = new AllowList(request.allow.cidrs, request.allow.ports);
  const results =
    'dns' in request
      ? await resolveCandidates({ ...request.dns, nameservers: allowedNameservers(request.dns.nameservers, allowList, true).allowed })
      : await new LocalProber({ allowList }).probe(request.targets, request.options);
  // Exit once the line is flushed: the parent waits for the exit, and a probe's leftover handle (a socket the
  // kernel still retries) must not hold the answer back until the parent's deadline.
  process.stdout.write(JSON.stringify(results) + '\n', () => process.exit(0));
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
