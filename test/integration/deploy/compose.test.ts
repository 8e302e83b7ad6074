import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { ENV_SCHEMA } from '../../../src/config.js';
import { REPORTS_ENV_SCHEMA } from '../../../src/reports/report-config.js';
import { interpolate, SERVICE_KEYS } from './compose-spec.js';

/**
 * deploy/docker/compose.yaml. With the compose plugin (`docker compose version` works) it is linted by
 * `docker compose config`. Without it (this CI machine has the engine and CLI only, and no npm package
 * with the Compose JSON Schema is a dependency), a structural check stands in: every key must be a key
 * the Compose Specification defines (compose-spec.ts), the parts netpeek uses are typed with strict zod
 * schemas, `${…}` interpolation is resolved the way compose does, and the deployment's own promises are
 * asserted (host network, capabilities, read-only socket, env from .env).
 */

const run = promisify(execFile);
const COMPOSE_FILE = fileURLToPath(new URL('../../../deploy/docker/compose.yaml', import.meta.url));
const COMPOSE_DIR = dirname(COMPOSE_FILE);
const REPO_ROOT = resolve(COMPOSE_DIR, '..', '..');
const ENV = { DOCKER_GID: '998' };

function composePluginWorks(): boolean {
  try {
    execFileSync('docker', ['compose', 'version'], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

const raw = readFileSync(COMPOSE_FILE, 'utf8');
/** As compose reads it: YAML merge keys (`<<: *image`) applied, then `${…}` interpolated. */
function loadCompose(env: Record<string, string | undefined>): Json {
  return interpolate(parse(raw, { merge: true }), env) as Json;
}
type Json = Record<string, any>;

const duration = z.string().regex(/^(\d+(ms|s|m|h))+$/, 'a compose duration like 30s or 1m30s');
const Build = z.object({ context: z.string(), dockerfile: z.string(), args: z.record(z.string()).optional() }).strict();
const Healthcheck = z
  .object({ test: z.array(z.string()).min(2), interval: duration, timeout: duration, start_period: duration, retries: z.number().int().positive() })
  .strict();
const Service = z
  .object({
    image: z.string().regex(/^[a-z0-9./_:-]+$/),
    build: Build,
    command: z.array(z.string()),
    restart: z.enum(['no', 'always', 'on-failure', 'unless-stopped']),
    init: z.boolean(),
    network_mode: z.literal('host'),
    env_file: z.array(z.string()),
    environment: z.record(z.string()),
    volumes: z.array(z.string().regex(/^[^:]+:[^:]+(:(ro|rw))?$/)).optional(),
    group_add: z.array(z.string().regex(/^\d+$/)).optional(),
    user: z.string().regex(/^\d+:\d+$/),
    read_only: z.boolean(),
    tmpfs: z.array(z.string()).optional(),
    cap_drop: z.array(z.string()),
    cap_add: z.array(z.string()).optional(),
    security_opt: z.array(z.string()).optional(),
    healthcheck: Healthcheck,
    depends_on: z.record(z.object({ condition: z.enum(['service_started', 'service_healthy', 'service_completed_successfully']) }).strict()).optional(),
  })
  .strict();
/** The optional database (profile "postgres"): not netpeek's image, so not held to the netpeek services' rules. */
const PostgresService = z
  .object({
    profiles: z.tuple([z.literal('postgres')]),
    image: z.string(),
    restart: z.enum(['no', 'always', 'on-failure', 'unless-stopped']),
    environment: z.record(z.string()),
    ports: z.array(z.string()),
    volumes: z.array(z.string()),
    healthcheck: Healthcheck,
  })
  .strict();
const ComposeFile = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/),
    services: z.object({ bot: Service, agent: Service, postgres: PostgresService }).strict(),
    volumes: z.record(z.null().or(z.object({}).passthrough())),
  })
  .catchall(z.unknown())
  .superRefine((c, ctx) => {
    for (const key of Object.keys(c)) if (!['name', 'services', 'volumes', 'networks', 'configs', 'secrets', 'include'].includes(key) && !key.startsWith('x-')) ctx.addIssue({ code: 'custom', message: `unknown top-level key ${key}` });
  });

/** The services that run netpeek's own image (not the optional database). */
const netpeekServices = (doc: Json): [string, Json][] => Object.entries(doc.services as Record<string, Json>).filter(([name]) => name !== 'postgres');

describe('deploy/docker/compose.yaml', () => {
  it.runIf(composePluginWorks())('docker compose config accepts it', async () => {
    // In a scratch copy, so that the env file it names exists without touching the work tree.
    const dir = await mkdtemp(join(tmpdir(), 'netpeek-compose-'));
    try {
      await mkdir(join(dir, 'deploy', 'docker'), { recursive: true });
      await cp(COMPOSE_FILE, join(dir, 'deploy', 'docker', 'compose.yaml'));
      await writeFile(join(dir, '.env'), 'NETPEEK_AGENT_SECRET=0123456789abcdef0123\n');
      const { stdout } = await run('docker', ['compose', '-f', join(dir, 'deploy', 'docker', 'compose.yaml'), 'config', '--format', 'json'], { env: { ...process.env, ...ENV } });
      const config = JSON.parse(stdout) as Json;
      expect(Object.keys(config.services).sort()).toEqual(['agent', 'bot']);
      expect(config.services.agent.network_mode).toBe('host');
      // The postgres profile adds the database, on the host's loopback only, with its own volume.
      const withDb = JSON.parse((await run('docker', ['compose', '-f', join(dir, 'deploy', 'docker', 'compose.yaml'), '--profile', 'postgres', 'config', '--format', 'json'], { env: { ...process.env, ...ENV } })).stdout) as Json;
      expect(Object.keys(withDb.services).sort()).toEqual(['agent', 'bot', 'postgres']);
      expect(withDb.services.postgres.ports).toEqual([expect.objectContaining({ host_ip: '127.0.0.1', published: '5432', target: 5432 })]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.runIf(composePluginWorks())('the workload-vantage override gives the bot host PIDs and exactly four capabilities; the base keeps none', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'netpeek-compose-'));
    try {
      await mkdir(join(dir, 'deploy', 'docker'), { recursive: true });
      await cp(COMPOSE_FILE, join(dir, 'deploy', 'docker', 'compose.yaml'));
      await cp(join(dirname(COMPOSE_FILE), 'compose.workload-vantage.yaml'), join(dir, 'deploy', 'docker', 'compose.workload-vantage.yaml'));
      await writeFile(join(dir, '.env'), 'NETPEEK_AGENT_SECRET=0123456789abcdef0123\n');
      const files = ['-f', join(dir, 'deploy', 'docker', 'compose.yaml'), '-f', join(dir, 'deploy', 'docker', 'compose.workload-vantage.yaml')];
      const { bot, agent } = (JSON.parse((await run('docker', ['compose', ...files, 'config', '--format', 'json'], { env: { ...process.env, ...ENV } })).stdout) as Json).services as { bot: Json; agent: Json };
      expect(bot.pid).toBe('host');
      expect([...bot.cap_add].sort()).toEqual(['DAC_READ_SEARCH', 'NET_RAW', 'SYS_ADMIN', 'SYS_PTRACE']);
      expect(bot.cap_drop).toEqual(['ALL']);
      expect(bot.security_opt).toContain('no-new-privileges:true');
      expect(bot.read_only).toBe(true);
      expect(bot.environment.NETPEEK_WORKLOAD_VANTAGE).toBe('true');
      // The agent is not widened by it.
      expect(agent.pid).toBeUndefined();
      expect(agent.cap_add).toEqual(['NET_RAW']);
      const base = (JSON.parse((await run('docker', ['compose', '-f', files[1]!, 'config', '--format', 'json'], { env: { ...process.env, ...ENV } })).stdout) as Json).services.bot as Json;
      expect(base.pid).toBeUndefined();
      expect(base.cap_add).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('compose.workload-vantage.yaml (read without the compose plugin): only the bot, pid host, exactly four capabilities, each with its purpose', () => {
    const text = readFileSync(join(COMPOSE_DIR, 'compose.workload-vantage.yaml'), 'utf8');
    const doc = parse(text) as Json;
    expect(Object.keys(doc.services)).toEqual(['bot']);
    const bot = doc.services.bot as Json;
    expect(Object.keys(bot).filter((k) => !SERVICE_KEYS.has(k))).toEqual([]);
    expect(bot.pid).toBe('host');
    expect(bot.user).toBe('0:0');
    expect(bot.environment).toEqual({ NETPEEK_WORKLOAD_VANTAGE: 'true' });
    expect(bot.cap_add).toEqual(['SYS_ADMIN', 'SYS_PTRACE', 'DAC_READ_SEARCH', 'NET_RAW']);
    // The override keeps compose.yaml's cap_drop ALL, no-new-privileges and read-only root (it does not restate them).
    for (const k of ['cap_drop', 'security_opt', 'read_only', 'privileged']) expect(bot[k], k).toBeUndefined();
    // Each capability has its purpose written on the line above it.
    for (const cap of bot.cap_add as string[]) expect(text, cap).toMatch(new RegExp(`#[^\\n]+\\n\\s+- ${cap}\\n`));
    // The base stays least-privilege.
    const base = loadCompose(ENV).services.bot as Json;
    expect(base.pid).toBeUndefined();
    expect(base.cap_add).toBeUndefined();
  });

  it('uses only keys of the Compose Specification, typed as compose expects (structural check)', () => {
    const doc = parse(raw, { merge: true }) as Json;
    for (const [name, svc] of Object.entries(doc.services as Record<string, Json>)) {
      const unknown = Object.keys(svc).filter((k) => !SERVICE_KEYS.has(k) && !k.startsWith('x-'));
      expect(unknown, `service ${name}`).toEqual([]);
    }
    const parsed = ComposeFile.safeParse(loadCompose(ENV));
    expect(parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([]);
  });

  it('the structural check catches a misspelled key', () => {
    const broken = parse(raw.replace('cap_add: [NET_RAW]', 'cap_ad: [NET_RAW]'), { merge: true }) as Json;
    expect(Object.keys(broken.services.agent).filter((k) => !SERVICE_KEYS.has(k))).toEqual(['cap_ad']);
    expect(ComposeFile.safeParse(interpolate(broken, ENV)).success).toBe(false);
  });

  it('refuses to start without DOCKER_GID, as compose would (`${DOCKER_GID:?…}`)', () => {
    expect(() => loadCompose({})).toThrow(/DOCKER_GID/);
  });

  it('bot: Docker socket read-only, no capabilities, no privilege escalation, reaches the agent on loopback', () => {
    const { bot, agent } = loadCompose(ENV).services as { bot: Json; agent: Json };
    expect(bot.command).toEqual(['serve']);
    expect(bot.volumes).toContain('/var/run/docker.sock:/var/run/docker.sock:ro');
    expect(bot.environment.DOCKER_HOST).toBe('unix:///var/run/docker.sock');
    expect(bot.group_add).toEqual([ENV.DOCKER_GID]);
    expect(bot.cap_drop).toEqual(['ALL']);
    expect(bot.cap_add).toBeUndefined();
    expect(bot.security_opt).toContain('no-new-privileges:true');
    expect(bot.read_only).toBe(true);
    expect(bot.user).toBe('10001:10001');
    // NETPEEK_AGENTS points at the agent's listen address.
    const [node, url] = (bot.environment.NETPEEK_AGENTS as string).split('=');
    expect(node).toBe(agent.environment.NETPEEK_NODE_NAME);
    expect(url).toBe(`http://${agent.environment.NETPEEK_AGENT_LISTEN}`);
    expect(agent.environment.NETPEEK_AGENT_LISTEN).toBe('127.0.0.1:7070');
  });

  it('agent: host network, CAP_NET_RAW only, no Docker socket, allow-list only from .env', () => {
    const { agent, bot } = loadCompose(ENV).services as { bot: Json; agent: Json };
    expect(agent.command).toEqual(['agent']);
    expect(agent.network_mode).toBe('host');
    expect(bot.network_mode).toBe('host');
    expect(agent.cap_drop).toEqual(['ALL']);
    expect(agent.cap_add).toEqual(['NET_RAW']);
    expect(agent.privileged).toBeUndefined();
    expect(agent.volumes).toBeUndefined();
    expect(agent.user).toBe('10001:10001');
    expect(agent.read_only).toBe(true);
    // no-new-privileges would make the kernel ignore fping's file capability (proven in image.test.ts).
    expect(agent.security_opt ?? []).not.toContain('no-new-privileges:true');
    // The allow-list comes from .env alone: a default here would silently override a narrower .env value
    // whenever compose runs without --env-file.
    expect(agent.environment.NETPEEK_AGENT_ALLOW_CIDRS).toBeUndefined();
    expect(agent.environment.NETPEEK_AGENT_ALLOW_PORTS).toBeUndefined();
  });

  it('every variable it sets is one netpeek reads, with a value it accepts', () => {
    const known = new Set([...Object.keys(ENV_SCHEMA.shape), ...Object.keys(REPORTS_ENV_SCHEMA.shape)]);
    for (const [name, svc] of netpeekServices(loadCompose(ENV))) {
      const env = svc.environment as Record<string, string>;
      expect(Object.keys(env).filter((k) => !known.has(k)), name).toEqual([]);
      const parsed = ENV_SCHEMA.safeParse({ ...env, NETPEEK_AGENT_SECRET: 'a'.repeat(32) });
      expect(parsed.success ? [] : parsed.error.issues, name).toEqual([]);
    }
  });

  it('both: the same image built from the repository root, environment from the repository .env', () => {
    for (const [, svc] of netpeekServices(loadCompose(ENV))) {
      expect(resolve(COMPOSE_DIR, svc.build.context)).toBe(resolve(REPO_ROOT));
      expect(existsSync(resolve(COMPOSE_DIR, svc.build.context, svc.build.dockerfile))).toBe(true);
      expect(svc.build.args.NODE_BASE).toBe('node:20-bookworm-slim');
      expect(svc.env_file.map((f: string) => resolve(COMPOSE_DIR, f))).toEqual([join(REPO_ROOT, '.env')]);
      expect(svc.image).toBe('netpeek:local');
    }
    expect(existsSync(join(REPO_ROOT, '.env.example'))).toBe(true);
  });
});
