import { describe, expect, it } from 'vitest';
import {
  BRIDGE_IS_PRIVATE,
  BRIDGE_REACHABLE_FROM_HOST,
  DOCKER_DESKTOP_SHELL_COMMANDS,
  DOCKER_DESKTOP_VM,
  EXPOSE_IS_DOCUMENTATION,
  HOST_NETWORK,
  NONE_NETWORK,
  PUBLISH_MAPS_HOST_PORT,
  SHARED_NAMESPACE,
  VETH_PAIR,
  exposedPortNote,
  isDockerDesktop,
  joinedBySentence,
  joinedNamespaceSentence,
  notRunningSentence,
  publishedPortNote,
  reachableFromHostSentence,
  reachableFromOutsideSentence,
} from '../../../src/net/explain-docker.js';
import { TOPICS, findTopic, topicWords } from '../../../src/net/topics.js';

describe('the seed facts, in netpeek\'s words', () => {
  it('bridge: private address in 172.17.0.0/16, gateway docker0 172.17.0.1', () => {
    expect(BRIDGE_IS_PRIVATE).toMatch(/bridge/);
    expect(BRIDGE_IS_PRIVATE).toMatch(/private address/);
    expect(BRIDGE_IS_PRIVATE).toContain('172.17.0.0/16');
    expect(BRIDGE_IS_PRIVATE).toContain('172.17.0.2');
    expect(BRIDGE_IS_PRIVATE).toMatch(/docker0.*172\.17\.0\.1/);
  });

  it('the Docker host reaches the private address without publishing', () => {
    expect(BRIDGE_REACHABLE_FROM_HOST).toMatch(/Docker host/);
    expect(BRIDGE_REACHABLE_FROM_HOST).toMatch(/any port/);
    expect(BRIDGE_REACHABLE_FROM_HOST).toMatch(/Nothing has to be published/);
  });

  it('EXPOSE is documentation only', () => {
    expect(EXPOSE_IS_DOCUMENTATION).toMatch(/EXPOSE/);
    expect(EXPOSE_IS_DOCUMENTATION).toMatch(/opens nothing/);
    expect(EXPOSE_IS_DOCUMENTATION).toMatch(/no reachability/);
  });

  it('publishing maps hostIP:hostPort to the container and is what lets outsiders in', () => {
    expect(PUBLISH_MAPS_HOST_PORT).toMatch(/hostIP:hostPort/);
    expect(PUBLISH_MAPS_HOST_PORT).toMatch(/containerPort/);
    expect(PUBLISH_MAPS_HOST_PORT).toMatch(/other than the Docker host/);
  });

  it('container:<other> shares the IP, ports must differ, like a pod', () => {
    expect(SHARED_NAMESPACE).toMatch(/container:<other>/);
    expect(SHARED_NAMESPACE).toMatch(/same IP address/);
    expect(SHARED_NAMESPACE).toMatch(/different ports/);
    expect(SHARED_NAMESPACE).toMatch(/Kubernetes pod/);
  });

  it('host mode uses the host addresses; none is loopback only', () => {
    expect(HOST_NETWORK).toMatch(/host's interfaces/);
    expect(HOST_NETWORK).toMatch(/port 80 of every host address/);
    expect(NONE_NETWORK).toMatch(/loopback/);
  });

  it('Docker Desktop: engine in a VM, host cannot reach 172.17.x, shell into the VM', () => {
    expect(DOCKER_DESKTOP_VM).toMatch(/VM/);
    expect(DOCKER_DESKTOP_VM).toMatch(/cannot reach/);
    expect(DOCKER_DESKTOP_VM).toMatch(/172\.17/);
    const shell = DOCKER_DESKTOP_SHELL_COMMANDS.join('\n');
    expect(shell).toContain('nc -U ~/Library/Containers/com.docker.docker/Data/debug-shell.sock');
    expect(shell).toContain('docker run -it --rm --privileged --pid=host justincormack/nsenter1');
    expect(shell).toMatch(/ping/);
  });

  it('veth pair into the bridge, network namespace', () => {
    expect(VETH_PAIR).toMatch(/veth pair/);
    expect(VETH_PAIR).toMatch(/network namespace/);
    expect(VETH_PAIR).toMatch(/docker0/);
  });
});

describe('sentences with live values', () => {
  it('says where the host reaches the container, with an example port', () => {
    expect(reachableFromHostSentence('172.17.0.2', [{ port: 80, protocol: 'tcp' }])).toMatch(/172\.17\.0\.2.*without publishing.*curl 172\.17\.0\.2:80/);
  });

  it('judges outside reachability from the bindings', () => {
    expect(reachableFromOutsideSentence('172.17.0.2', [])).toMatch(/cannot connect.*no port is published/);
    expect(reachableFromOutsideSentence('172.17.0.2', [{ port: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 8080 }])).toMatch(/loopback/);
    expect(reachableFromOutsideSentence('172.17.0.2', [{ port: 80, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 8080 }])).toBe(
      'Other machines can connect only through the published port: *:8080 → 172.17.0.2:80/tcp.',
    );
  });

  it('writes port notes for exposed and published ports', () => {
    expect(exposedPortNote({ port: 8080, protocol: 'tcp' }, 'image', '172.17.0.2')).toMatch(/EXPOSE in the image.*opens nothing.*172\.17\.0\.2:8080 from the Docker host/);
    expect(exposedPortNote({ port: 8080, protocol: 'tcp' }, 'run')).toMatch(/--expose/);
    expect(publishedPortNote({ port: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 8080 }, '172.17.0.2')).toMatch(/127\.0\.0\.1:8080 is forwarded to 172\.17\.0\.2:80\/tcp.*only programs on the Docker host/);
    expect(publishedPortNote({ port: 80, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 8080 }, '172.17.0.2')).toMatch(/port 8080 on any host address.*other machines/);
    expect(publishedPortNote({ port: 80, protocol: 'tcp', hostIp: '192.0.2.5', hostPort: 8080 }, '172.17.0.2')).toMatch(/at 192\.0\.2\.5/);
    expect(publishedPortNote({ port: 80, protocol: 'tcp', hostIp: '' })).toMatch(/host port Docker picks when the container starts/);
  });

  it('names both sides of a shared namespace', () => {
    expect(joinedNamespaceSentence('sidecar', 'web')).toMatch(/sidecar.*web's network namespace.*container:web.*web's IP address/);
    expect(joinedBySentence('web', ['a', 'b'])).toMatch(/^a, b run in web's network namespace/);
    expect(notRunningSentence('web', 'exited')).toMatch(/not running \(exited\).*no IP address now/);
  });

  it('detects Docker Desktop from the engine info', () => {
    expect(isDockerDesktop({ operatingSystem: 'Docker Desktop', name: 'docker-desktop', kernelVersion: '6.10.14-linuxkit' })).toBe(true);
    expect(isDockerDesktop({ kernelVersion: '5.15.49-linuxkit' })).toBe(true);
    expect(isDockerDesktop({ operatingSystem: 'Debian GNU/Linux 12 (bookworm)', name: 'vm', kernelVersion: '6.1.0-18-amd64' })).toBe(false);
    expect(isDockerDesktop({})).toBe(false);
  });
});

describe('explain topics', () => {
  it('has every topic the product promises, with its aliases', () => {
    expect(TOPICS.map((t) => t.id)).toEqual(['bridge', 'expose', 'publish', 'namespace', 'host-network', 'docker-desktop', 'veth', 'pod-ip', 'pod-ports', 'host-network-pod', 'service']);
    expect(findTopic('sharing')?.id).toBe('namespace');
    expect(findTopic('container-network')?.id).toBe('namespace');
    expect(findTopic('PUBLISH')?.id).toBe('publish');
    expect(findTopic('nope')).toBeUndefined();
  });

  it('gives no word to two topics', () => {
    const words = topicWords().map((w) => w.toLowerCase());
    expect(new Set(words).size).toBe(words.length);
  });

  it('shows the ip addr line of the first container on the default bridge', () => {
    expect(findTopic('bridge')!.sentences.join(' ')).toContain('inet 172.17.0.2/16 brd 172.17.255.255 scope global eth0');
  });
});
