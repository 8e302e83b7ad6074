import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import type { Need } from './machine.js';

/**
 * A real PostgreSQL server for tests: Debian's `postgresql` binaries, initdb'd as the `postgres` user
 * (initdb refuses root) into a temp dir, listening on 127.0.0.1 at a free port with its unix socket in
 * that dir, password authentication over TCP. Every PostgreSQL test gets its server from here.
 */

const run = promisify(execFile);

export const PG_PASSWORD = 'netpeek-test-pw';
export const PG_USER = 'postgres';

function binDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : undefined;
}

function uidOf(user: string): { uid: number; gid: number } | undefined {
  try {
    const [uid, gid] = ['-u', '-g'].map((f) => Number(execFileSync('id', [f, user], { encoding: 'utf8' }).trim()));
    return { uid: uid as number, gid: gid as number };
  } catch {
    return undefined;
  }
}

/** What the PostgreSQL suites need (for describeNeeding): the server package, and root to act as `postgres`. */
export const POSTGRES: readonly Need[] = ['root', 'postgresql'];

let availableCache: boolean | undefined;
/** The binaries are installed, a `postgres` user exists and we can act as it (root). */
export function postgresAvailable(): boolean {
  return (availableCache ??= binDir() !== undefined && uidOf(PG_USER) !== undefined && process.getuid?.() === 0);
}

/** A free TCP port on loopback (the kernel picks it; closed again before the server binds it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface PostgresServer {
  port: number;
  /** With `tls`: the PEM of the CA that signed the server's certificate (for localhost and 127.0.0.1). */
  caFile?: string;
  /** The temp dir holding data, socket and log. */
  dir: string;
  /** postgres://postgres:…@127.0.0.1:port/<database> */
  url(database?: string): string;
  /** A fresh, empty database; returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Kills the server at once (no checkpoint), as a crash or a pulled cable would. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

let dbCounter = 0;

/** A CA and a server certificate it signed for localhost / 127.0.0.1, made with openssl into `dir`. */
async function makeCertificates(dir: string, owner: { uid: number; gid: number }): Promise<{ ca: string; cert: string; key: string }> {
  const f = (n: string) => join(dir, n);
  writeFileSync(f('san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.crt'), '-days', '2', '-subj', '/CN=netpeek test CA']);
  await run('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=localhost']);
  await run('openssl', ['x509', '-req', '-in', f('server.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('server.crt'), '-days', '2', '-extfile', f('san.ext')]);
  // PostgreSQL refuses a key file that others can read.
  for (const n of ['server.key', 'server.crt']) chownSync(f(n), owner.uid, owner.gid);
  chmodSync(f('server.key'), 0o600);
  return { ca: f('ca.crt'), cert: f('server.crt'), key: f('server.key') };
}

export async function startPostgres(o: { tls?: boolean } = {}): Promise<PostgresServer> {
  const bin = binDir();
  const owner = uidOf(PG_USER);
  if (!bin || !owner) throw new Error('PostgreSQL is not installed here: apt-get install -y postgresql');
  const dir = mkdtempSync(join(tmpdir(), 'netpeek-pg-'));
  const data = join(dir, 'data');
  const pwfile = join(dir, 'pw');
  writeFileSync(pwfile, `${PG_PASSWORD}\n`);
  chownSync(dir, owner.uid, owner.gid);
  chownSync(pwfile, owner.uid, owner.gid);
  const asPostgres = (cmd: string, args: string[]) => run('runuser', ['-u', PG_USER, '--', join(bin, cmd), ...args], { timeout: 60_000 });
  await asPostgres('initdb', ['-D', data, '-U', PG_USER, '--pwfile', pwfile, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  const certs = o.tls ? await makeCertificates(dir, owner) : undefined;
  const options = [
    ...(certs ? ['-c ssl=on', `-c ssl_cert_file=${certs.cert}`, `-c ssl_key_file=${certs.key}`] : []),`-p ${port}`, `-k ${dir}`, "-c listen_addresses='127.0.0.1'", '-c fsync=off', '-c full_page_writes=off', '-c max_connections=200'].join(' ');
  const start = () => asPostgres('pg_ctl', ['start', '-w', '-t', '60', '-D', data, '-l', join(dir, 'server.log'), '-o', options]);
  const ctl = (mode: 'immediate' | 'fast') => asPostgres('pg_ctl', ['stop', '-w', '-t', '60', '-D', data, '-m', mode]).then(() => undefined, () => undefined);
  await start();
  const url = (database = 'postgres') => `postgres://${PG_USER}:${PG_PASSWORD}@127.0.0.1:${port}/${database}`;
  let stopped = false;
  return {
    port,
    ...(certs ? { caFile: certs.ca } : {}),
    dir,
    url,
    async createDatabase(name = `netpeek_${process.pid}_${++dbCounter}`) {
      const c = new pg.Client({ connectionString: url() });
      await c.connect();
      try {
        await c.query(`CREATE DATABASE ${name}`);
      } finally {
        await c.end();
      }
      return url(name);
    },
    kill: () => ctl('immediate'),
    async restart() {
      await start();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await ctl('fast');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
