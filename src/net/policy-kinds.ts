/**
 * Policy APIs other than networking.k8s.io/v1 NetworkPolicy that can allow or deny pod traffic, by
 * the API group their CRDs (or built-in types) are served under. netpeek does not evaluate them; it
 * says they are present so that a NetworkPolicy verdict is not read as the whole truth.
 */
const OTHER_POLICY_GROUPS: readonly { group: string; kinds: string }[] = [
  { group: 'policy.networking.k8s.io', kinds: 'AdminNetworkPolicy / BaselineAdminNetworkPolicy (policy.networking.k8s.io)' },
  { group: 'crd.projectcalico.org', kinds: 'Calico NetworkPolicy / GlobalNetworkPolicy (crd.projectcalico.org)' },
  { group: 'projectcalico.org', kinds: 'Calico NetworkPolicy / GlobalNetworkPolicy (projectcalico.org)' },
  { group: 'cilium.io', kinds: 'CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy (cilium.io)' },
  { group: 'crd.antrea.io', kinds: 'Antrea NetworkPolicy / ClusterNetworkPolicy (crd.antrea.io)' },
  { group: 'k8s.ovn.org', kinds: 'OVN-Kubernetes EgressFirewall (k8s.ovn.org)' },
];

/** The other policy kinds present, given the API groups the server lists at /apis. */
export function otherPolicyKindsIn(groups: readonly string[]): string[] {
  const present = new Set(groups);
  return OTHER_POLICY_GROUPS.filter((g) => present.has(g.group)).map((g) => g.kinds);
}
