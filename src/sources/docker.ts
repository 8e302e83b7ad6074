// Type-only: dockerode is loaded only for an engine that plain-http.ts cannot reach (TLS, SSH, named pipes; see
// DockerEngine.client), so the local socket and tcp:// never pay for loading it.
import type Docker from 'dockerode';
import type { BackendState } from '../core/backend-check.js';
import { BackendError } from '../core/errors.js';
import type { Config } from '../config.js';
import type { EngineIdentity } from '../net/explain-docker.js';
import { isDockerDesktop } from '../net/explain-docker.js';
import { dockerConnection } from './docker-connection.js';
import { plainGet } from './plain-http.js';
import { engineKey, recallIdentity, rememberIdentity } from './docker-engine-identity.js';

export { DEFAULT_SOCKET, dockerConnection, type DockerConnection } from './docker-connection.js';

/**
 * The Docker engine as commands see it. Methods return the engine's own objects (typed with dockerode's types):
 * commands turn them into Answers, and no engine type goes further than that.
 * "Not found" is `undefined`, not an error: what to suggest instead is the command's business.
 * Every method fails with a BackendError naming the endpoint when the engine does not answer.
 */
export interface DockerSource {
  /** Where the engine is, as the user would write DOCKER_HOST: unix:///var/run/docker.sock, tcp://10.0.0.5:2375. */
  readonly endpoint: string;
  info(): Promise<EngineInfo>;
  /**
   * What tells Docker Desktop apart (isDockerDesktop), for the engine that listed `networks`: from /info,
   * or from what /info said when this engine was asked before (docker-engine-identity.ts).
   */
  identify(networks: readonly Docker.NetworkInspectInfo[]): Promise<EngineIdentity>;
  version(): Promise<Docker.DockerVersion>;
  /** Every container, running or not (`docker ps -a`). */
  listContainers(): Promise<Docker.ContainerInfo[]>;
  /** By full ID or exact name (prefix resolution is the caller's, so it can report ambiguity). */
  inspectContainer(idOrName: string): Promise<Docker.ContainerInspectInfo | undefined>;
  /** Every network with its IPAM configuration (the list carries no attached containers). */
  listNetworks(): Promise<Docker.NetworkInspectInfo[]>;
  /** One network, including its attached containers and their addresses. */
  inspectNetwork(idOrName: string): Promise<Docker.NetworkInspectInfo | undefined>;
  inspectImage(idOrName: string): Promise<Docker.ImageInspectInfo | undefined>;
  /** One line for banners: "Docker 20.10.24 at unix:///var/run/docker.sock". Throws BackendError. */
  describe(): Promise<string>;
  /** Like describe, but never throws: what answered, or why nothing did. */
  probe(): Promise<BackendState>;
}

/** The fields of the engine's /info that netpeek reads (dockerode leaves /info untyped). */
export interface EngineInfo {
  ID?: string;
  /** Host name of the engine ("docker-desktop" on Docker Desktop). */
  Name?: string;
  ServerVersion?: string;
  /** Distribution, or "Docker Desktop". */
  OperatingSystem?: string;
  OSType?: string;
  KernelVersion?: string;
  Architecture?: string;
  Containers?: number;
  ContainersRunning?: number;
}

/** The parts of /info that tell Docker Desktop apart, in src/net's engine-neutral shape. */
export function engineIdentity(info: EngineInfo): EngineIdentity {
  return { operatingSystem: info.OperatingSystem, name: info.Name, kernelVersion: info.KernelVersion };
}

const PERMISSION_DENIED = {
  reason: 'permission denied',
  hint: 'netpeek may not open the socket: run it as a user in the docker group, or mount the socket into its container.',
};

/** dockerode/Node error codes that mean "the engine is not there", with what to tell the user. */
const UNREACHABLE: Record<string, { reason: string; hint: string }> = {
  ENOENT: { reason: 'no socket there', hint: 'Start the Docker engine (`sudo systemctl start docker`, or open Docker Desktop), or set DOCKER_HOST to where it listens.' },
  ECONNREFUSED: { reason: 'connection refused', hint: 'Nothing accepts connections there: is dockerd running? Check `docker info`, or set DOCKER_HOST to where it listens.' },
  EACCES: PERMISSION_DENIED,
  EPERM: PERMISSION_DENIED,
  ENOTFOUND: { reason: 'the host name does not resolve', hint: 'Check the host name in DOCKER_HOST.' },
  EAI_AGAIN: { reason: 'the host name does not resolve (DNS did not answer)', hint: 'Check the host name in DOCKER_HOST and this machine\'s DNS.' },
  EHOSTUNREACH: { reason: 'no route to the host', hint: 'Check DOCKER_HOST and that the Docker host is up.' },
  ENETUNREACH: { reason: 'network unreachable', hint: 'Check DOCKER_HOST and this machine\'s network.' },
  ETIMEDOUT: { reason: 'the connection timed out', hint: 'Check DOCKER_HOST and that no firewall drops the connection.' },
  ECONNRESET: { reason: 'the connection was closed', hint: 'Check that DOCKER_HOST points at a Docker engine (and at its TLS port only with https://).' },
};

interface AbortOption {
  abortSignal: AbortSignal;
}

interface EngineHttpError {
  statusCode?: number;
  json?: { message?: string } | null;
  code?: string;
}

/**
 * GETs of the engine's HTTP API over a unix socket or plain TCP with plain-http.ts (one GET per connection, without node:http): what netpeek asks the engine
 * is a handful of JSON reads, and dockerode (with docker-modem, ssh2 and their dependencies) takes longer
 * to load than a one-shot answer may take whole (issue 19). A non-2xx answer rejects with `{ statusCode,
 * json }` and a transport failure with Node's error code, the shapes dockerode rejects with, so both
 * transports fail alike.
 */
export class EngineHttp {
  constructor(private readonly target: { socketPath: string } | { host: string; port: number }) {}

  /** A plain-HTTP transport for these options, or undefined when only dockerode can do it (TLS, SSH, named pipes). */
  static for(options: Docker.DockerOptions): EngineHttp | undefined {
    if (options.socketPath !== undefined) return typeof options.socketPath === 'string' && !options.socketPath.startsWith('//./pipe/') ? new EngineHttp({ socketPath: options.socketPath }) : undefined;
    if (options.protocol === 'http' && options.host) return new EngineHttp({ host: options.host, port: Number(options.port) });
    return undefined;
  }

  async get<T>(path: string, signal: AbortSignal): Promise<T> {
    const { statusCode, body } = await plainGet(this.target, path, { Accept: 'application/json' }, { signal });
    const text = body.toString('utf8');
    let json: unknown;
    try {
      json = text === '' ? null : JSON.parse(text);
    } catch {
      json = null;
    }
    if (statusCode >= 200 && statusCode < 300 && json !== null) return json as T;
    throw Object.assign(new Error(`HTTP ${statusCode}`), { statusCode, json: json ?? { message: text.trim() || undefined } });
  }
}

/** An object name in a request path: as dockerode sends it (image names keep their `/`, `:` and `@`), but never a query or fragment. */
const pathName = (idOrName: string) => idOrName.split('/').map((p) => encodeURIComponent(p).replace(/%3A/gi, ':').replace(/%40/g, '@')).join('/');

/**
 * The real engine, with a deadline on every call: plain-http.ts for a unix socket or tcp:// (EngineHttp),
 * dockerode for TLS (https://, with DOCKER_CERT_PATH), ssh:// and Windows named pipes.
 */
export class DockerEngine implements DockerSource {
  readonly endpoint: string;
  private readonly options: Docker.DockerOptions;
  private readonly http: EngineHttp | undefined;
  private loaded?: Promise<Docker>;
  /** Identities this process has seen, by engine key: the bot asks /info once per engine, not per answer. */
  private readonly identities = new Map<string, EngineIdentity>();

  constructor(private readonly settings: Config['docker']) {
    const { endpoint, options } = dockerConnection(settings.host);
    this.endpoint = endpoint;
    this.options = options;
    this.http = EngineHttp.for(options);
  }

  /** dockerode, imported and constructed on first use (construction itself opens no connection). */
  private client(): Promise<Docker> {
    this.loaded ??= import('dockerode').then(({ default: Dockerode }) => new Dockerode(this.options));
    return this.loaded;
  }

  /**
   * The same client, typed as its implementation behaves: dockerode's typings omit the options argument
   * (and with it the abort signal) of info, version and a few inspects.
   */
  private async withOptions(): Promise<{ info(o: AbortOption): Promise<EngineInfo>; version(o: AbortOption): Promise<Docker.DockerVersion> }> {
    return (await this.client()) as unknown as { info(o: AbortOption): Promise<EngineInfo>; version(o: AbortOption): Promise<Docker.DockerVersion> };
  }

  info(): Promise<EngineInfo> {
    const http = this.http;
    return this.call('read its info', async (abortSignal) => (http ? http.get<EngineInfo>('/info', abortSignal) : (await this.withOptions()).info({ abortSignal })));
  }

  async identify(networks: readonly Docker.NetworkInspectInfo[]): Promise<EngineIdentity> {
    const key = engineKey(this.endpoint, networks);
    const file = this.settings.identityFile;
    if (key !== undefined) {
      // Held once read: a long-running bot reads the file once per engine, not on every answer.
      const known = this.identities.get(key) ?? (file ? recallIdentity(file, key) : undefined);
      if (known) {
        this.identities.set(key, known);
        return known;
      }
    }
    const identity = engineIdentity(await this.info());
    if (key !== undefined) {
      this.identities.set(key, identity);
      if (file) rememberIdentity(file, key, identity);
    }
    return identity;
  }

  version(): Promise<Docker.DockerVersion> {
    const http = this.http;
    return this.call('read its version', async (abortSignal) => (http ? http.get<Docker.DockerVersion>('/version', abortSignal) : (await this.withOptions()).version({ abortSignal })));
  }

  listContainers(): Promise<Docker.ContainerInfo[]> {
    const http = this.http;
    return this.call('list containers', async (abortSignal) =>
      http ? http.get<Docker.ContainerInfo[]>('/containers/json?all=true', abortSignal) : (await this.client()).listContainers({ all: true, abortSignal }),
    );
  }

  inspectContainer(idOrName: string): Promise<Docker.ContainerInspectInfo | undefined> {
    const http = this.http;
    return this.orUndefined(
      this.call('inspect a container', async (abortSignal) =>
        http ? http.get<Docker.ContainerInspectInfo>(`/containers/${pathName(idOrName)}/json`, abortSignal) : (await this.client()).getContainer(idOrName).inspect({ abortSignal }),
      ),
    );
  }

  listNetworks(): Promise<Docker.NetworkInspectInfo[]> {
    const http = this.http;
    return this.call('list networks', async (abortSignal) => (http ? http.get<Docker.NetworkInspectInfo[]>('/networks', abortSignal) : (await this.client()).listNetworks({ abortSignal })));
  }

  inspectNetwork(idOrName: string): Promise<Docker.NetworkInspectInfo | undefined> {
    const http = this.http;
    return this.orUndefined(
      this.call('inspect a network', async (abortSignal) => {
        if (http) return http.get<Docker.NetworkInspectInfo>(`/networks/${pathName(idOrName)}`, abortSignal);
        const network = (await this.client()).getNetwork(idOrName) as unknown as { inspect(o: AbortOption): Promise<Docker.NetworkInspectInfo> };
        return network.inspect({ abortSignal });
      }),
    );
  }

  inspectImage(idOrName: string): Promise<Docker.ImageInspectInfo | undefined> {
    const http = this.http;
    return this.orUndefined(
      this.call('inspect an image', async (abortSignal) => {
        if (http) return http.get<Docker.ImageInspectInfo>(`/images/${pathName(idOrName)}/json`, abortSignal);
        const image = (await this.client()).getImage(idOrName) as unknown as { inspect(o: AbortOption): Promise<Docker.ImageInspectInfo> };
        return image.inspect({ abortSignal });
      }),
    );
  }

  async describe(): Promise<string> {
    const info = await this.info();
    const desktop = isDockerDesktop(engineIdentity(info)) ? ' (Docker Desktop)' : '';
    return `Docker ${info.ServerVersion ?? '(unknown version)'} at ${this.endpoint}${desktop}`;
  }

  async probe(): Promise<BackendState> {
    try {
      return { ok: true, detail: await this.describe() };
    } catch (err) {
      return { ok: false, detail: err instanceof BackendError ? err.message : `The Docker engine at ${this.endpoint} could not be asked.` };
    }
  }

  /** Runs one API call with the configured deadline and turns transport failures into a BackendError. */
  private async call<T>(what: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    // The race guards against a call that ignores the signal; the abort frees the socket.
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(this.unreachable(`no answer within ${this.settings.timeoutMs} ms`, 'The engine may be overloaded or hung; NETPEEK_DOCKER_TIMEOUT_MS raises the limit.'));
      }, this.settings.timeoutMs);
    });
    try {
      return await Promise.race([fn(controller.signal), deadline]);
    } catch (err) {
      throw this.translate(err, what);
    } finally {
      clearTimeout(timer);
    }
  }

  private translate(err: unknown, what: string): unknown {
    if (err instanceof BackendError) return err;
    const e = (err ?? {}) as EngineHttpError;
    if (typeof e.statusCode === 'number') {
      if (e.statusCode === 404) return err; // handled by orUndefined
      const message = e.json?.message ? `: ${e.json.message}` : '';
      return new BackendError('docker', `The Docker engine at ${this.endpoint} refused to ${what} (HTTP ${e.statusCode})${message}.`, []);
    }
    const known = e.code ? UNREACHABLE[e.code] : undefined;
    if (known) return this.unreachable(known.reason, known.hint);
    return this.unreachable(`the request to ${what} failed (${e.code ?? (err instanceof Error ? err.message : String(err))})`, 'Check that DOCKER_HOST points at a Docker engine.');
  }

  private unreachable(reason: string, hint: string): BackendError {
    return new BackendError('docker', `The Docker engine at ${this.endpoint} did not answer: ${reason}`, [hint]);
  }

  private async orUndefined<T>(request: Promise<T>): Promise<T | undefined> {
    try {
      return await request;
    } catch (err) {
      if ((err as EngineHttpError | undefined)?.statusCode === 404) return undefined;
      throw err;
    }
  }
}
