import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';

/*
 * Where the Docker engine is, from DOCKER_HOST alone: a module of its own so that shell completion, which
 * asks the engine with one plain request, reaches no code that imports dockerode.
 */

/** How to reach the engine: dockerode options plus the endpoint text used in messages. */
export interface DockerConnection {
  /** DOCKER_HOST-style text naming the engine in every message, e.g. unix:///var/run/docker.sock. */
  endpoint: string;
  /** What dockerode's constructor takes (socket path, or host/port/protocol). */
  options: Docker.DockerOptions;
}

export const DEFAULT_SOCKET = '/var/run/docker.sock';

/**
 * DOCKER_HOST → dockerode options. Unset means the system socket, or Docker Desktop's per-user socket
 * when only that one exists (newer Desktop installs no longer create /var/run/docker.sock).
 * `host: undefined` is explicit because dockerode merges its own reading of process.env.DOCKER_HOST
 * underneath; the configured value must win.
 */
export function dockerConnection(host: string | undefined): DockerConnection {
  if (!host) {
    const userSocket = join(homedir(), '.docker', 'run', 'docker.sock');
    const socketPath = !existsSync(DEFAULT_SOCKET) && existsSync(userSocket) ? userSocket : DEFAULT_SOCKET;
    return { endpoint: `unix://${socketPath}`, options: { socketPath, host: undefined } };
  }
  if (host.startsWith('unix://') || host.startsWith('npipe://')) {
    const scheme = host.startsWith('unix://') ? 'unix://' : 'npipe://';
    const socketPath = host.slice(scheme.length) || (scheme === 'unix://' ? DEFAULT_SOCKET : '//./pipe/docker_engine');
    return { endpoint: `${scheme}${socketPath}`, options: { socketPath, host: undefined } };
  }
  const url = new URL(host);
  const scheme = url.protocol.replace(/:$/, '');
  const protocol = scheme === 'https' ? 'https' : scheme === 'ssh' ? 'ssh' : 'http';
  const port = url.port || (protocol === 'https' ? '2376' : protocol === 'ssh' ? '22' : '2375');
  // URL keeps IPv6 literals bracketed; dockerode wants the bare address.
  const options: Docker.DockerOptions = { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port, protocol };
  if (protocol === 'ssh' && url.username) options.username = decodeURIComponent(url.username);
  return { endpoint: `${scheme}://${url.hostname}:${port}`, options };
}

