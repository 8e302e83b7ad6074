import type Docker from 'dockerode';
import { engineIdentity, type DockerSource, type EngineInfo } from '../../src/sources/docker.js';

/**
 * An in-memory Docker Desktop engine: the one thing the real engine on this machine cannot be. It holds
 * one container, `webserver-1`, on the default bridge with port 80 published on 8080, in the shapes the
 * Engine API returns (recorded from a real engine, trimmed to what netpeek reads).
 */

const CONTAINER_ID = '3f2a9c1d5e7b8a90c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4';
const BRIDGE_ID = '7a0d07eaebc3362a56eb500796b2e7e5d9853a4a6339ae610332f911ad55bc10';

/** What Docker Desktop 4.x on macOS reports in /info. */
export const DESKTOP_INFO: EngineInfo = {
  ID: 'f1c5e0c4-8a36-4d5c-9a7e-0d6c2b4f7a11',
  Name: 'docker-desktop',
  ServerVersion: '27.3.1',
  OperatingSystem: 'Docker Desktop',
  OSType: 'linux',
  KernelVersion: '6.10.14-linuxkit',
  Architecture: 'aarch64',
  Containers: 1,
  ContainersRunning: 1,
};

const endpoint = {
  IPAMConfig: null,
  Links: null,
  Aliases: null,
  NetworkID: BRIDGE_ID,
  EndpointID: '3c8c39dd6f37c35ed582fd435b2d65523c98487f55fcd1df8ab6f18417a36506',
  Gateway: '172.17.0.1',
  IPAddress: '172.17.0.2',
  IPPrefixLen: 16,
  IPv6Gateway: '',
  GlobalIPv6Address: '',
  GlobalIPv6PrefixLen: 0,
  MacAddress: '02:42:ac:11:00:02',
};

const inspected = {
  Id: CONTAINER_ID,
  Name: '/webserver-1',
  Image: 'sha256:4d1f8b3e0a6c',
  State: { Status: 'running', Running: true },
  Config: { Image: 'nginxdemos/hello', ExposedPorts: { '80/tcp': {} } },
  HostConfig: { NetworkMode: 'bridge', PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] } },
  NetworkSettings: {
    Ports: { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }, { HostIp: '::', HostPort: '8080' }] },
    Networks: { bridge: endpoint },
  },
} as unknown as Docker.ContainerInspectInfo;

const listed = {
  Id: CONTAINER_ID,
  Names: ['/webserver-1'],
  State: 'running',
  HostConfig: { NetworkMode: 'bridge' },
} as unknown as Docker.ContainerInfo;

const bridge = {
  Name: 'bridge',
  Id: BRIDGE_ID,
  Scope: 'local',
  Driver: 'bridge',
  EnableIPv6: false,
  IPAM: { Driver: 'default', Config: [{ Subnet: '172.17.0.0/16', Gateway: '172.17.0.1' }] },
  Internal: false,
  Attachable: false,
  Options: { 'com.docker.network.bridge.name': 'docker0' },
  Containers: { [CONTAINER_ID]: { Name: 'webserver-1', EndpointID: endpoint.EndpointID, MacAddress: endpoint.MacAddress, IPv4Address: '172.17.0.2/16', IPv6Address: '' } },
} as unknown as Docker.NetworkInspectInfo;

export function dockerDesktopFake(): DockerSource {
  return {
    endpoint: 'unix:///Users/dev/.docker/run/docker.sock',
    info: async () => DESKTOP_INFO,
    identify: async () => engineIdentity(DESKTOP_INFO),
    version: async () => ({ Version: '27.3.1', ApiVersion: '1.47' }) as Docker.DockerVersion,
    listContainers: async () => [listed],
    inspectContainer: async (id) => (id === CONTAINER_ID || id === 'webserver-1' ? inspected : undefined),
    listNetworks: async () => [{ ...bridge, Containers: {} }],
    inspectNetwork: async (id) => (id === BRIDGE_ID || id === 'bridge' ? bridge : undefined),
    inspectImage: async () => ({ Config: { ExposedPorts: { '80/tcp': {} } } }) as unknown as Docker.ImageInspectInfo,
    describe: async () => 'Docker 27.3.1 at unix:///Users/dev/.docker/run/docker.sock (Docker Desktop)',
    probe: async () => ({ ok: true, detail: 'Docker 27.3.1 at unix:///Users/dev/.docker/run/docker.sock (Docker Desktop)' }),
  };
}
