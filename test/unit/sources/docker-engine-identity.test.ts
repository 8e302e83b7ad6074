import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { afterEach, describe, expect, it } from 'vitest';
import { engineKey, recallIdentity, rememberIdentity } from '../../../src/sources/docker-engine-identity.js';

const net = (Name: string, Id: string) => ({ Name, Id }) as Docker.NetworkInspectInfo;
const DESKTOP = { operatingSystem: 'Docker Desktop', name: 'docker-desktop', kernelVersion: '6.10.14-linuxkit' };

describe('which Docker engine is which (docker-engine-identity)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'netpeek-identity-'));
  const file = join(dir, 'sub', 'docker-engines.json');
  afterEach(() => rmSync(join(dir, 'sub'), { recursive: true, force: true }));

  it('knows an engine by its endpoint and its host and none networks, whatever else it lists', () => {
    const a = engineKey('unix:///var/run/docker.sock', [net('bridge', 'b1'), net('none', 'n1'), net('host', 'h1'), net('app', 'x')]);
    expect(a).toBe('unix:///var/run/docker.sock h1 n1');
    expect(engineKey('unix:///var/run/docker.sock', [net('host', 'h1'), net('none', 'n1')])).toBe(a);
    expect(engineKey('unix:///var/run/docker.sock', [net('host', 'h2'), net('none', 'n1')])).not.toBe(a);
    expect(engineKey('unix:///var/run/docker.sock', [net('bridge', 'b1')])).toBeUndefined();
  });

  it('recalls what was remembered for that key only, and nothing from a missing, broken or odd file', () => {
    expect(recallIdentity(file, 'k1')).toBeUndefined();
    rememberIdentity(file, 'k1', DESKTOP);
    expect(recallIdentity(file, 'k1')).toEqual(DESKTOP);
    expect(recallIdentity(file, 'k2')).toBeUndefined();
    writeFileSync(file, '[1,2]');
    expect(recallIdentity(file, 'k1')).toBeUndefined();
    writeFileSync(file, JSON.stringify({ k1: { operatingSystem: 7 } }));
    expect(recallIdentity(file, 'k1')).toBeUndefined();
  });

  it('keeps the 16 engines met last', () => {
    for (let i = 0; i < 20; i++) rememberIdentity(file, `k${i}`, { operatingSystem: `os ${i}` });
    rememberIdentity(file, 'k5', { operatingSystem: 'os 5 again' });
    const kept = Object.keys(JSON.parse(readFileSync(file, 'utf8')) as object);
    expect(kept).toHaveLength(16);
    expect(kept.at(-1)).toBe('k5');
    expect(kept).not.toContain('k3'); // k0–k3 dropped as k16–k19 came
    expect(recallIdentity(file, 'k5')).toEqual({ operatingSystem: 'os 5 again' });
  });

  it('an unwritable place only means nothing is remembered', () => {
    writeFileSync(join(dir, 'plain-file'), '');
    expect(() => rememberIdentity(join(dir, 'plain-file', 'docker-engines.json'), 'k1', DESKTOP)).not.toThrow();
  });
});
