import * as childProcess from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FpingSpare } from '../../../src/probe/fping-spare.js';
import { LocalProber } from '../../../src/probe/local-prober.js';

// The real fping, to loopback only; spawn is spied on (not replaced) to see when fping starts.
vi.mock('node:child_process', async (importOriginal) => {
  const mod = await importOriginal<typeof import('node:child_process')>();
  return { ...mod, spawn: vi.fn(mod.spawn) };
});

const spawnSpy = vi.mocked(childProcess.spawn);
const fpingStarts = () => spawnSpy.mock.calls.filter(([file]) => file === 'fping');
// spawnSpy sees this file's calls only (vi.mock is per file), fpingChildren every fping of the process.
const lo = '127.0.0.1';
const ICMP = [{ kind: 'icmp' as const, ip: lo }];
/** Longer than the spare's refill delay (50 ms) plus fping's start. */
const untilSpareWaits = () => new Promise((r) => setTimeout(r, 400));

/**
 * Spare fping processes whose parent is `parent` (options, `--` and no address: waiting for targets on
 * stdin), with their argument lists, read from /proc as ps would. Other test files in this process run
 * fping with their targets on the command line: those are not spares.
 */
function fpingChildren(parent = process.pid): Array<{ pid: number; args: string[] }> {
  const out: Array<{ pid: number; args: string[] }> = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const args = readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0').filter(Boolean);
      if (ppid === parent && /(^|\/)fping$/.test(args[0] ?? '') && args.at(-1) === '--') out.push({ pid: Number(e), args });
    } catch {
      // gone while we looked
    }
  }
  return out;
}

/** Still running: present in /proc and not a zombie waiting to be reaped (what exited, whoever its parent now is). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** The spares that appeared since `before` was taken (another file's agent may keep one of its own). */
function newSince(before: ReturnType<typeof fpingChildren>): ReturnType<typeof fpingChildren> {
  const known = new Set(before.map((c) => c.pid));
  return fpingChildren().filter((c) => !known.has(c.pid));
}

const probers: LocalProber[] = [];
const spareProber = () => {
  const p = new LocalProber({ spareFping: true });
  probers.push(p);
  return p;
};

/** A prober after one batch, its spare fping waiting. */
async function withSpareWaiting(): Promise<{ prober: LocalProber; spare: { pid: number; args: string[] } }> {
  const before = fpingChildren();
  const prober = spareProber();
  await prober.probe(ICMP, { timeoutMs: 1000, count: 1 });
  await untilSpareWaits();
  const [spare] = newSince(before);
  if (!spare) throw new Error('no spare fping is waiting');
  return { prober, spare };
}

afterEach(() => {
  for (const p of probers.splice(0)) p.close();
});

describe('LocalProber with a spare fping (the agent\'s)', () => {
  it('starts fping for the first batch, then keeps one waiting with no address; the next batch uses it and starts none', async () => {
    const before = fpingChildren();
    const prober = spareProber();
    spawnSpy.mockClear();
    const [first] = await prober.probe(ICMP, { timeoutMs: 1000, count: 1 });
    expect(first).toMatchObject({ kind: 'icmp', ip: lo, ok: true });
    expect(fpingStarts()).toHaveLength(1);
    await untilSpareWaits();
    expect(fpingStarts()).toHaveLength(2);
    // The waiting one was given options and no target: it has sent nothing, and reads its targets from stdin.
    const spares = newSince(before);
    expect(spares).toHaveLength(1);
    const [spare] = spares;
    expect(spare?.args).not.toContain(lo);

    spawnSpy.mockClear();
    const [second] = await prober.probe(ICMP, { timeoutMs: 1000, count: 1 });
    expect(second).toMatchObject({ ok: true, icmp: { sent: 1, received: 1 } });
    expect(fpingStarts()).toHaveLength(0);
    expect(fpingChildren().map((c) => c.pid)).not.toContain(spare!.pid);
  });

  it('a batch with other options starts its own fping, and the spare with the old ones is ended', async () => {
    const { prober, spare } = await withSpareWaiting();
    spawnSpy.mockClear();
    const [r] = await prober.probe(ICMP, { timeoutMs: 500, count: 2 });
    expect(r).toMatchObject({ ok: true, icmp: { sent: 2, received: 2 } });
    expect(fpingStarts()[0]?.[1]).toEqual(expect.arrayContaining(['-C', '2', lo]));
    expect(fpingChildren().map((c) => c.pid)).not.toContain(spare.pid);
  });

  it('a spare that died while it waited is not used: the batch starts fping itself and answers', async () => {
    const { prober, spare } = await withSpareWaiting();
    process.kill(spare.pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 100));
    spawnSpy.mockClear();
    const [r] = await prober.probe(ICMP, { timeoutMs: 1000, count: 1 });
    expect(r).toMatchObject({ ok: true });
    expect(fpingStarts()).toHaveLength(1);
  });

  it('close() ends the waiting spare and starts no other', async () => {
    const before = fpingChildren();
    const { prober, spare } = await withSpareWaiting();
    prober.close();
    await untilSpareWaits();
    expect(running(spare.pid)).toBe(false);
    expect(newSince(before)).toHaveLength(0);
  });

  it('without spareFping (a one-shot command) nothing is started ahead', async () => {
    const before = fpingChildren();
    const prober = new LocalProber();
    spawnSpy.mockClear();
    await prober.probe(ICMP, { timeoutMs: 1000, count: 1 });
    await untilSpareWaits();
    expect(fpingStarts()).toHaveLength(1);
    expect(newSince(before)).toHaveLength(0);
  });

  it('a waiting spare keeps no process alive, and ends with it', async () => {
    const script = `
      const { LocalProber } = await import(${JSON.stringify(new URL('../../../src/probe/local-prober.ts', import.meta.url).href)});
      const p = new LocalProber({ spareFping: true });
      await p.probe([{ kind: 'icmp', ip: '127.0.0.1' }], { timeoutMs: 1000, count: 1 });
      setTimeout(() => console.log('waited'), 400);
    `;
    const child = childProcess.spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    let spares: ReturnType<typeof fpingChildren> = [];
    const watch = setInterval(() => {
      const now = fpingChildren(child.pid);
      if (now.length) spares = now;
    }, 50);
    const code = await new Promise((r) => child.once('exit', r));
    clearInterval(watch);
    expect(out).toContain('waited');
    expect(code).toBe(0);
    // The spare was there while the script waited; its stdin closed with the script, and fping with no target exits.
    expect(spares).toHaveLength(1);
    for (let i = 0; i < 40 && running(spares[0]!.pid); i++) await new Promise((r) => setTimeout(r, 50));
    expect(running(spares[0]!.pid)).toBe(false);
  }, 20_000);

  it('fping asked for and not installed (a path that does not exist): batches say so, and no spare is ever started', async () => {
    const prober = new LocalProber({ spareFping: true, icmp: 'fping', fpingPath: '/nonexistent/netpeek-test/fping' });
    probers.push(prober);
    for (let batch = 0; batch < 3; batch++) {
      const [r] = await prober.probe(ICMP, { timeoutMs: 1000, count: 1 });
      expect(r).toMatchObject({ ok: false, detail: 'fping is not installed' });
      await untilSpareWaits();
    }
    // Counted by the prober itself: a spawn of a missing file leaves no process to see in /proc.
    expect(prober.sparesStarted).toBe(0);
  });

  it('auto with fping missing: ping answers, and no spare fping is started after the batch that found it missing', async () => {
    const prober = new LocalProber({ spareFping: true, fpingPath: '/nonexistent/netpeek-test/fping' });
    probers.push(prober);
    for (let batch = 0; batch < 2; batch++) {
      const [r] = await prober.probe(ICMP, { timeoutMs: 1000, count: 1 });
      expect(r).toMatchObject({ ok: true, icmp: { sent: 1, received: 1 } });
      await untilSpareWaits();
    }
    expect(prober.sparesStarted).toBe(0);
  });

  it('with fping installed the count is of the spares really started: one after each batch', async () => {
    const prober = spareProber();
    for (let batch = 1; batch <= 2; batch++) {
      await prober.probe(ICMP, { timeoutMs: 1000, count: 1 });
      await untilSpareWaits();
      expect(prober.sparesStarted).toBe(batch);
    }
  });
});

describe('FpingSpare', () => {
  const options = { count: 1, timeoutMs: 1000, periodMs: 1000 };
  it('starts no spare while a batch runs, however long it takes; the next one starts after the batch is done', async () => {
    const spare = new FpingSpare('fping', 50);
    try {
      expect(spare.take(options)).toBeUndefined();
      // A batch three times longer than the refill delay: nothing forks beside it.
      await new Promise((r) => setTimeout(r, 150));
      expect(spare.started).toBe(0);
      spare.batchDone(options);
      await untilSpareWaits();
      expect(spare.started).toBe(1);
      // The next batch takes the waiting one.
      const taken = spare.take(options);
      expect(taken?.waiting).toBe(true);
      taken?.kill();
    } finally {
      spare.close();
    }
  });
});
