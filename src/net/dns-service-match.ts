/**
 * Does a DNS answer for a Service name agree with the Service in the API? Pure: the name, the answer and
 * the Service's addresses (from netpeek's cache) in, a verdict and one sentence out.
 *
 * Cluster DNS publishes `<service>.<namespace>.svc.<cluster domain>`: the ClusterIP for a normal Service,
 * the ready endpoints' addresses for a headless one (no ClusterIP: the pods themselves).
 */

/** The Service a cluster DNS name names, or undefined for any other name. */
export interface ServiceDnsName {
  service: string;
  namespace: string;
  /** What follows `.svc.`: cluster.local unless the cluster was set up otherwise. */
  clusterDomain: string;
}

const LABEL = '[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?';
const SERVICE_NAME = new RegExp(`^(${LABEL})\\.(${LABEL})\\.svc\\.((?:${LABEL}\\.)*${LABEL})\\.?$`);

/** `web.shop.svc.cluster.local.` → web in shop (cluster.local). Case-insensitive, trailing dot optional. */
export function serviceOfDnsName(name: string): ServiceDnsName | undefined {
  const m = SERVICE_NAME.exec(name.toLowerCase());
  return m ? { service: m[1]!, namespace: m[3]!, clusterDomain: m[5]! } : undefined;
}

/** What the cache holds about the Service the name names. */
export interface ServiceAddresses {
  namespace: string;
  name: string;
  headless: boolean;
  /** ExternalName Services are a CNAME, not addresses. */
  externalName?: string;
  clusterIPs: string[];
  /** Addresses of the ready endpoints (what DNS publishes for a headless Service). */
  readyEndpoints: string[];
}

export type ServiceMatchVerdict = 'matches' | 'differs' | 'no-service' | 'not-answered' | 'external-name';

export interface ServiceMatch {
  verdict: ServiceMatchVerdict;
  /** Namespace/name of the Service the name names. */
  service: string;
  /** The addresses the cache says DNS should answer. */
  expected: string[];
  /** One sentence: what agrees or what does not, and what that means. */
  sentence: string;
  /** Worth a warning: the answer and the API disagree, or the Service is missing. */
  warning: boolean;
}

const list = (xs: readonly string[]) => (xs.length ? xs.join(', ') : 'none');

/**
 * The answer for `name` (the candidate that answered, or that was asked when none did) against the
 * Service. `answers` is empty when nothing answered. `svc` undefined: the cache has no such Service.
 */
export function matchServiceAnswer(name: string, answers: readonly string[], svc: ServiceAddresses | undefined): ServiceMatch | undefined {
  const ref = serviceOfDnsName(name);
  if (!ref) return undefined;
  const id = `${ref.namespace}/${ref.service}`;
  const fqdn = name.endsWith('.') ? name : `${name}.`;
  if (!svc) {
    return answers.length
      ? { verdict: 'no-service', service: id, expected: [], warning: true, sentence: `${fqdn} answered ${list(answers)}, but there is no Service ${id} in the cluster's API: the answer comes from somewhere else (another cluster's DNS, a stub domain, a stale cache), not from this Service.` }
      : { verdict: 'no-service', service: id, expected: [], warning: false, sentence: `There is no Service ${id} in the cluster's API, so ${fqdn} not resolving is expected: check the Service's name and namespace (\`svc ${ref.service} -n ${ref.namespace}\`).` };
  }
  if (svc.externalName) {
    return { verdict: 'external-name', service: id, expected: [svc.externalName], warning: false, sentence: `Service ${id} is an ExternalName Service: DNS answers it with a CNAME to ${svc.externalName}, so the addresses are whatever that name resolves to.` };
  }
  const expected = svc.headless ? svc.readyEndpoints : svc.clusterIPs;
  const what = svc.headless ? `the ready endpoints of headless Service ${id} (${list(expected)})` : `the ClusterIP of Service ${id} (${list(expected)})`;
  if (!answers.length) {
    const none = svc.headless && expected.length === 0;
    return {
      verdict: 'not-answered',
      service: id,
      expected,
      warning: !none,
      sentence: none
        ? `Headless Service ${id} has no ready endpoint, so cluster DNS has no address to publish for ${fqdn}: make its pods ready (or set publishNotReadyAddresses).`
        : `${fqdn} got no answer, although the API has ${what}: the pod's resolver did not reach cluster DNS, or cluster DNS does not serve this name (its cluster domain, CoreDNS health).`,
    };
  }
  const want = new Set(expected);
  const got = new Set(answers);
  const extra = answers.filter((a) => !want.has(a));
  const missing = expected.filter((a) => !got.has(a));
  // Every address answered is one the API expects; an A question never returns the IPv6 ClusterIP, so fewer is fine.
  if (extra.length === 0) {
    return {
      verdict: 'matches',
      service: id,
      expected,
      warning: false,
      sentence: svc.headless
        ? `${fqdn} answers ${list(answers)}: ${missing.length ? 'some of ' : ''}${what}, as cluster DNS publishes a headless Service (the pods themselves, no ClusterIP).`
        : `${fqdn} answers ${list(answers)}: ${what}, as in the API; connections to it are spread over its endpoints by kube-proxy.`,
    };
  }
  return {
    verdict: 'differs',
    service: id,
    expected,
    warning: true,
    sentence:
      `${fqdn} answers ${list(answers)}, but the API has ${what}` +
      (svc.headless
        ? `: ${extra.length ? `${list(extra)} ${extra.length === 1 ? 'is' : 'are'} not a ready endpoint (a pod gone or not ready, a stale DNS cache)` : ''}${extra.length && missing.length ? '; ' : ''}${missing.length ? `${list(missing)} ${missing.length === 1 ? 'is' : 'are'} missing from the answer` : ''}.`
        : `: the answer does not come from this Service (a stale DNS cache, a hosts entry, another cluster domain or a stub domain answered) — connections will go to ${list(extra)}, not to the Service.`),
  };
}
