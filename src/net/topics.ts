import {
  BRIDGE_IS_PRIVATE,
  BRIDGE_REACHABLE_FROM_HOST,
  DEFAULT_BRIDGE,
  DOCKER_DESKTOP_SHELL,
  DOCKER_DESKTOP_SHELL_COMMANDS,
  DOCKER_DESKTOP_VM,
  EXPOSE_IS_DOCUMENTATION,
  HOST_NETWORK,
  LOOPBACK_PUBLISH,
  NONE_NETWORK,
  PUBLISH_MAPS_HOST_PORT,
  SHARED_NAMESPACE,
  VETH_PAIR,
} from './explain-docker.js';
import {
  HOST_NETWORK_POD,
  HOST_PORT,
  NAMED_TARGET_PORT,
  NATIVE_SIDECAR,
  NODE_PORT,
  NODE_REACHES_POD_IP,
  POD_IP_NO_PUBLISHING,
  POD_NETWORK_IS_SEPARATE,
  POD_ONE_NAMESPACE,
  SERVICE_VIRTUAL_IP,
} from './explain-kube.js';

/**
 * The topics `explain` knows: each a short verdict, the sentences behind it, and commands that show the
 * same thing with live data.
 */
export interface Topic {
  /** The name users type: `explain publish`. */
  id: string;
  /** Other words that mean the same topic. */
  aliases: string[];
  /** One line, shown first and in the topic list. */
  summary: string;
  /** Why it is so, in order. */
  sentences: string[];
  /** What to run to see it on one's own host. */
  tryThis: string[];
}

export const TOPICS: readonly Topic[] = [
  {
    id: 'bridge',
    aliases: ['docker0', 'private-ip'],
    summary: 'A container on a bridge network has a private IP that the Docker host reaches directly.',
    sentences: [
      BRIDGE_IS_PRIVATE,
      `Inside the container, \`ip addr\` shows it as \`inet ${DEFAULT_BRIDGE.firstContainer}/16 brd ${DEFAULT_BRIDGE.broadcast} scope global eth0\`.`,
      BRIDGE_REACHABLE_FROM_HOST,
    ],
    tryThis: ['network bridge', 'container <name>', 'explain veth'],
  },
  {
    id: 'expose',
    aliases: ['exposed'],
    summary: 'EXPOSE is documentation: it opens no port and changes no reachability.',
    sentences: [EXPOSE_IS_DOCUMENTATION, BRIDGE_REACHABLE_FROM_HOST, 'To let other machines in, the port has to be published (see `explain publish`).'],
    tryThis: ['container <name>', 'explain publish'],
  },
  {
    id: 'publish',
    aliases: ['published', 'port-mapping', 'ports'],
    summary: 'Publishing maps hostIP:hostPort to the container\'s IP:port; it is what lets other machines in.',
    sentences: [PUBLISH_MAPS_HOST_PORT, LOOPBACK_PUBLISH, 'The Docker host itself never needs a published port: it reaches the container\'s private address directly.'],
    tryThis: ['container <name>', 'explain expose'],
  },
  {
    id: 'namespace',
    aliases: ['sharing', 'container-network', 'shared-namespace', 'netns'],
    summary: 'Containers sharing a network namespace share one IP and one set of ports, like a Kubernetes pod.',
    sentences: [SHARED_NAMESPACE, 'netpeek shows who shares a container\'s namespace in `container <name>`, in both directions.'],
    tryThis: ['container <name>', 'explain veth'],
  },
  {
    id: 'host-network',
    aliases: ['host', 'hostnetwork', 'host-mode'],
    summary: 'A container on the host network uses the host\'s addresses; its ports bind on the host.',
    sentences: [HOST_NETWORK, 'Two such containers (or a container and a host service) therefore compete for the same ports.', NONE_NETWORK],
    tryThis: ['container <name>', 'network host'],
  },
  {
    id: 'docker-desktop',
    aliases: ['desktop', 'mac', 'macos', 'windows', 'vm'],
    summary: 'On Docker Desktop the engine runs in a VM: the Mac or PC cannot reach container IPs directly.',
    sentences: [DOCKER_DESKTOP_VM, DOCKER_DESKTOP_SHELL, ...DOCKER_DESKTOP_SHELL_COMMANDS],
    tryThis: ['status', 'container <name>'],
  },
  {
    id: 'veth',
    aliases: ['veth-pair', 'linux'],
    summary: 'A container is a process in its own network namespace, cabled to the bridge by a veth pair.',
    sentences: [VETH_PAIR, BRIDGE_REACHABLE_FROM_HOST],
    tryThis: ['network bridge', 'explain bridge'],
  },
  {
    id: 'pod-ip',
    aliases: ['pod', 'pods', 'pod-network'],
    summary: 'A pod gets its own IP on the pod network, reachable from its node and every other pod without publishing.',
    sentences: [POD_IP_NO_PUBLISHING, POD_NETWORK_IS_SEPARATE, NODE_REACHES_POD_IP],
    tryThis: ['pod <name>', 'network', 'ping pod/<name>'],
  },
  {
    id: 'pod-ports',
    aliases: ['pod-sharing', 'sidecar', 'containers'],
    summary: 'All containers of a pod share one network namespace: one IP, and ports that must differ.',
    sentences: [POD_ONE_NAMESPACE, NATIVE_SIDECAR],
    tryThis: ['pod <name>', 'explain namespace'],
  },
  {
    id: 'host-network-pod',
    aliases: ['hostnetwork-pod', 'hostport', 'host-port'],
    summary: 'A hostNetwork pod uses its node\'s IP and competes for the node\'s ports; a hostPort claims one node port.',
    sentences: [HOST_NETWORK_POD, HOST_PORT],
    tryThis: ['pod <name>', 'node <name>'],
  },
  {
    id: 'service',
    aliases: ['svc', 'services', 'targetport', 'nodeport'],
    summary: 'A Service is a stable virtual IP whose port maps to a targetPort on the selected pods.',
    sentences: [SERVICE_VIRTUAL_IP, NAMED_TARGET_PORT, NODE_PORT],
    tryThis: ['svc <name>', 'pod <name>'],
  },
];

/** The topic a word names (its id or an alias, any case), if any. */
export function findTopic(word: string): Topic | undefined {
  const w = word.toLowerCase();
  return TOPICS.find((t) => t.id === w || t.aliases.some((a) => a.toLowerCase() === w));
}

/** Every word `findTopic` accepts, for "did you mean". */
export function topicWords(): string[] {
  return TOPICS.flatMap((t) => [t.id, ...t.aliases]);
}
