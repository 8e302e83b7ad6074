import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findContainerPids } from '../../../src/probe/workload-process.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const root = mkdtempSync(join(tmpdir(), 'netpeek-fake-proc-'));
const proc = (pid: number, id: string) => {
  mkdirSync(join(root, String(pid)), { recursive: true });
  writeFileSync(join(root, String(pid), 'cgroup'), `0::/kubepods/besteffort/pod1234/cri-containerd-${id}.scope\n`);
};

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('findContainerPids: a container ID to a process by cgroup, the last find reused while it still holds', () => {
  it('finds the lowest PID of each container, reuses it while its cgroup names the container, and looks again once it is gone', async () => {
    proc(300, A);
    proc(310, A);
    proc(400, B);
    expect(await findContainerPids([A, B], { procRoot: root })).toEqual(new Map([[A, 300], [B, 400]]));
    // A lower PID of the same container appearing later (PID reuse) is not looked for while 300 still is A's.
    proc(50, A);
    expect((await findContainerPids([A], { procRoot: root })).get(A)).toBe(300);
    // 300 exits: the walk runs again and finds the lowest that is left.
    rmSync(join(root, '300'), { recursive: true });
    expect((await findContainerPids([A], { procRoot: root })).get(A)).toBe(50);
    // 400 now belongs to another container: not reused for B.
    writeFileSync(join(root, '400', 'cgroup'), `0::/system.slice/docker-${'c'.repeat(64)}.scope\n`);
    expect((await findContainerPids([B], { procRoot: root })).has(B)).toBe(false);
  });
});
