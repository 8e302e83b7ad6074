/**
 * What a probe outcome means, in one sentence each. Pure: takes the facts, returns words.
 * The vantage ("the Docker host", "node worker-1") is where the packets came from.
 */
import type { PortSpec } from './ports.js';

export type ProbeOutcome = 'ok' | 'refused' | 'timeout' | 'unreachable' | 'denied' | 'error' | 'unavailable';

export function icmpOkSentence(ip: string, vantage: string): string {
  return `${ip} answers ping from ${vantage}: its network namespace is up and reachable at its private address, with nothing published.`;
}

export function icmpFailedSentence(ip: string, vantage: string): string {
  return `${ip} does not answer ping from ${vantage}: nothing owns that address right now (stopped or deleted workload, wrong IP), or ICMP is filtered on the way.`;
}

export function tcpOkSentence(ip: string, port: number, vantage: string): string {
  return `Something listens on ${ip}:${port} and accepts connections from ${vantage}; no port publishing was needed for that.`;
}

export function tcpRefusedSentence(ip: string, port: number): string {
  return `${ip}:${port} refused the connection: the address is reachable (its namespace answered with a reset), but nothing listens on port ${port}. Check the port the program binds, and that it binds 0.0.0.0 rather than 127.0.0.1.`;
}

export function tcpTimeoutSentence(ip: string, port: number): string {
  return `${ip}:${port} did not answer in time: a firewall or network policy drops the packets, or the workload is down.`;
}

export function unreachableSentence(ip: string, vantage: string): string {
  return `${vantage} got no answer from ${ip} at all (no ARP/neighbour reply or no route): nothing holds that address on the network.`;
}

export function deniedSentence(ip: string, reason: string): string {
  return `${ip} was not probed: ${reason}. netpeek only sends packets to addresses its allow-list covers.`;
}

export function degradedSentence(vantage: string, why: string): string {
  return `Could not probe from ${vantage}: ${why}. The lookup above is still current; only the live check is missing.`;
}

export function noPortsSentence(name: string): string {
  return `${name} declares no ports, so only ping was tried; add --port N to test a TCP port.`;
}

export function portsProbedSentence(ports: readonly PortSpec[]): string {
  return `TCP ports tried: ${ports.map((p) => p.port).join(', ')} (the declared/exposed ones, or --port).`;
}

export function portsCappedSentence(tried: number, declared: number): string {
  return `Only the first ${tried} of ${declared} ports were tried; use --port for another.`;
}

/** Said when `--from <workload>` was asked but the probe had to start on the workload's host instead. */
export function workloadFallbackSentence(workload: string, host: string, reason: string): string {
  return `Probed from ${host}, not from inside ${workload}: ${reason}. ${host[0]!.toUpperCase()}${host.slice(1)} may reach what ${workload} cannot (Docker isolates bridge networks from each other; policies apply to pods).`;
}

/**
 * Said when a pod's node agent was asked to probe from inside the pod but was deployed without the
 * workload-vantage component: the probe ran from the node, and the user should know what that hides.
 */
export function noAgentVantageSentence(workload: string, node: string): string {
  return `Probed from node ${node} instead: its agent has no workload vantage (NETPEEK_AGENT_WORKLOAD_VANTAGE is off there; the workload-vantage kustomize component turns it on), so no packet left from inside ${workload}. Node ${node} may reach what ${workload} cannot: NetworkPolicies filter the pod's traffic, not the node's own.`;
}

/** Said when the probe ran inside the workload's own network namespace. */
export function insideWorkloadSentence(workload: string): string {
  return `Probed from inside ${workload}'s own network namespace: the packets ${workload} itself would send, through its interfaces, routes and DNS.`;
}
