import { createServer as createHttpServer } from 'node:http';
import type { Server } from 'node:net';
import { createServer } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BackendError } from '../../../src/core/errors.js';
import { DockerEngine, dockerConnection } from '../../../src/sources/docker.js';
import { freeTcpPort } from '../../support/docker-fixtures.js';

describe('dockerConnection (DOCKER_HOST → dockerode options)', () => {
  it.each([
    ['unix:///run/user/1000/docker.sock', 'unix:///run/user/1000/docker.sock', { socketPath: '/run/user/1000/docker.sock', host: undefined }],
    ['tcp://10.0.0.5:2375', 'tcp://10.0.0.5:2375', { host: '10.0.0.5', port: '2375', protocol: 'http' }],
    ['tcp://docker.internal', 'tcp://docker.internal:2375', { host: 'docker.internal', port: '2375', protocol: 'http' }],
    ['https://docker.internal', 'https://docker.internal:2376', { host: 'docker.internal', port: '2376', protocol: 'https' }],
    ['ssh://deploy@build-1', 'ssh://build-1:22', { host: 'build-1', port: '22', protocol: 'ssh', username: 'deploy' }],
    ['tcp://[fd00::5]:2375', 'tcp://[fd00::5]:2375', { host: 'fd00::5', port: '2375', protocol: 'http' }],
    ['npipe:////./pipe/docker_engine', 'npipe:////./pipe/docker_engine', { socketPath: '//./pipe/docker_engine', host: undefined }],
  ])('%s', (host, endpoint, options) => {
    expect(dockerConnection(host)).toEqual({ endpoint, options });
  });

  it('defaults to the system socket', () => {
    expect(dockerConnection(undefined).endpoint).toMatch(/^unix:\/\/.*docker\.sock$/);
  });
});

describe('DockerEngine failures name the endpoint and say what to do', () => {
  let dir = '';
  const servers: Server[] = [];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'netpeek-docker-'));
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
    await rm(dir, { recursive: true, force: true });
  });

  async function listen(server: Server, path: string): Promise<void> {
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(path, resolve));
  }

  async function backendError(p: Promise<unknown>): Promise<BackendError> {
    const err = await p.then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(BackendError);
    return err as BackendError;
  }

  it('no socket: ENOENT', async () => {
    const engine = new DockerEngine({ host: `unix://${dir}/missing.sock`, timeoutMs: 2000 });
    const err = await backendError(engine.info());
    expect(err.message).toBe(`The Docker engine at unix://${dir}/missing.sock did not answer: no socket there`);
    expect(err.backend).toBe('docker');
    expect(err.details[0]).toMatch(/Start the Docker engine.*DOCKER_HOST/);
  });

  it('nothing listening on a TCP port: connection refused', async () => {
    const port = await freeTcpPort();
    const err = await backendError(new DockerEngine({ host: `tcp://127.0.0.1:${port}`, timeoutMs: 2000 }).listContainers());
    expect(err.message).toBe(`The Docker engine at tcp://127.0.0.1:${port} did not answer: connection refused`);
  });

  it('an engine that accepts but never answers: the configured deadline', async () => {
    const path = join(dir, 'silent.sock');
    // Reads and drops the request, like a hung engine would; never answers.
    await listen(createServer((socket) => socket.resume()), path);
    const started = Date.now();
    const err = await backendError(new DockerEngine({ host: `unix://${path}`, timeoutMs: 300 }).version());
    expect(err.message).toBe(`The Docker engine at unix://${path} did not answer: no answer within 300 ms`);
    expect(err.details[0]).toMatch(/NETPEEK_DOCKER_TIMEOUT_MS/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('HTTP errors carry the engine\'s message; 404 means "not there"', async () => {
    const path = join(dir, 'engine.sock');
    const server = createHttpServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url?.includes('/containers/')) {
        res.statusCode = 404;
        res.end(JSON.stringify({ message: 'No such container: web' }));
      } else {
        res.statusCode = 500;
        res.end(JSON.stringify({ message: 'daemon is shutting down' }));
      }
    });
    await listen(server, path);
    const engine = new DockerEngine({ host: `unix://${path}`, timeoutMs: 2000 });
    expect(await engine.inspectContainer('web')).toBeUndefined();
    const err = await backendError(engine.info());
    expect(err.message).toBe(`The Docker engine at unix://${path} refused to read its info (HTTP 500): daemon is shutting down.`);
  });

  it('the configured endpoint wins over DOCKER_HOST in the environment (dockerode reads both)', async () => {
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = 'tcp://127.0.0.1:1';
    try {
      const err = await backendError(new DockerEngine({ host: `unix://${dir}/other.sock`, timeoutMs: 2000 }).info());
      expect(err.message).toContain(`unix://${dir}/other.sock did not answer: no socket there`);
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
    }
  });

  it('probe never throws: it says what answered or why nothing did', async () => {
    const engine = new DockerEngine({ host: `unix://${dir}/missing.sock`, timeoutMs: 2000 });
    expect(await engine.probe()).toEqual({ ok: false, detail: `The Docker engine at unix://${dir}/missing.sock did not answer: no socket there` });
  });
});
