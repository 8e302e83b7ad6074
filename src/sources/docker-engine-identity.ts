import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type Docker from 'dockerode';
import type { EngineIdentity } from '../net/explain-docker.js';

/*
 * Whether an engine is Docker Desktop, remembered across runs (issue 19). Only GET /info says so, and it
 * is the engine's slowest read (6–10 ms here, where a container inspect takes under 1 ms: dockerd runs
 * runc and docker-init to report their versions), so `container` would wait on it every time for a fact
 * that never changes for that engine. The engine is known by the IDs of its `host` and `none`
 * networks, which dockerd creates at random when its data directory is first initialised and which come
 * with the network list that `container` reads anyway: another engine behind the same endpoint (another
 * VM behind a symlinked socket, a factory reset) has other IDs, so it is asked afresh.
 */

/** Engines kept in the file: a user's few endpoints, bounded so the file never grows. */
const MAX_ENGINES = 16;

/** The key of the engine at `endpoint` that listed `networks`; undefined when it has no host or none network to know it by. */
export function engineKey(endpoint: string, networks: readonly Docker.NetworkInspectInfo[]): string | undefined {
  const ids = networks.filter((n) => n.Name === 'host' || n.Name === 'none').map((n) => n.Id);
  return ids.length ? `${endpoint} ${ids.sort().join(' ')}` : undefined;
}

type Remembered = Record<string, EngineIdentity>;

function readAll(file: string): Remembered {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Remembered) : {};
  } catch {
    return {}; // no file yet, or not JSON: the engine is asked
  }
}

const textOrAbsent = (v: unknown) => v === undefined || typeof v === 'string';

/** What /info said about the engine `key`, if it was asked before (and the entry has the shape written). */
export function recallIdentity(file: string, key: string): EngineIdentity | undefined {
  const known = readAll(file);
  const entry = Object.hasOwn(known, key) ? (known[key] as Record<string, unknown> | null) : undefined;
  if (!entry || typeof entry !== 'object' || ![entry.operatingSystem, entry.name, entry.kernelVersion].every(textOrAbsent)) return undefined;
  return { operatingSystem: entry.operatingSystem as string | undefined, name: entry.name as string | undefined, kernelVersion: entry.kernelVersion as string | undefined };
}

/**
 * Keeps `identity` for `key`, the newest last (the oldest dropped past MAX_ENGINES). Written whole under a
 * temporary name and renamed, so a run reading at the same moment sees the old file or the new one; a
 * directory that cannot be written only means /info is asked next time too (never a failure).
 */
export function rememberIdentity(file: string, key: string, identity: EngineIdentity): void {
  const known = readAll(file);
  delete known[key];
  known[key] = { operatingSystem: identity.operatingSystem, name: identity.name, kernelVersion: identity.kernelVersion };
  const kept = Object.fromEntries(Object.entries(known).slice(-MAX_ENGINES));
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(kept, null, 1)}\n`, { mode: 0o600 });
    renameSync(temporary, file);
  } catch {
    // unwritable: asked again next time
  }
}
