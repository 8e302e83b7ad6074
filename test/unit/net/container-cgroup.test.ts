import { describe, expect, it } from 'vitest';
import { bareContainerId, cgroupNamesContainer, containerIdsInCgroup } from '../../../src/net/container-cgroup.js';

const ID = '4f4428c15eb4396b832864c245517c169f5a67097e4bd44d2412a14869dd1b26';
const OTHER = 'a'.repeat(64);

describe('bareContainerId', () => {
  it('strips the runtime prefix a pod status carries and keeps only full IDs', () => {
    expect(bareContainerId(ID)).toBe(ID);
    expect(bareContainerId(`docker://${ID}`)).toBe(ID);
    expect(bareContainerId(`containerd://${ID.toUpperCase()}`)).toBe(ID);
    expect(bareContainerId(`cri-o://${ID}`)).toBe(ID);
    expect(bareContainerId(ID.slice(0, 12))).toBeUndefined();
    expect(bareContainerId('../../etc/passwd')).toBeUndefined();
    expect(bareContainerId('')).toBeUndefined();
  });
});

describe('cgroupNamesContainer', () => {
  it('cgroup v1 with the cgroupfs driver (one line per controller)', () => {
    const text = `12:pids:/docker/${ID}\n4:memory:/docker/${ID}\n0::/docker/${ID}\n`;
    expect(cgroupNamesContainer(text, ID)).toBe(true);
    expect(cgroupNamesContainer(text, OTHER)).toBe(false);
  });

  it('cgroup v2 with systemd scopes: docker, containerd (Kubernetes) and CRI-O', () => {
    expect(cgroupNamesContainer(`0::/system.slice/docker-${ID}.scope\n`, ID)).toBe(true);
    expect(cgroupNamesContainer(`0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice/cri-containerd-${ID}.scope\n`, ID)).toBe(true);
    expect(cgroupNamesContainer(`0::/kubepods.slice/crio-${ID}.scope\n`, `cri-o://${ID}`)).toBe(true);
    expect(cgroupNamesContainer(`0::/kubepods/besteffort/pod1234/${ID}\n`, `containerd://${ID}`)).toBe(true);
  });

  it('a process outside any container, a prefix, or the ID buried in another name does not count', () => {
    expect(cgroupNamesContainer('0::/\n', ID)).toBe(false);
    expect(cgroupNamesContainer('0::/user.slice/user-0.slice/session-1.scope\n', ID)).toBe(false);
    expect(cgroupNamesContainer(`0::/docker/${ID}\n`, ID.slice(0, 12))).toBe(false);
    expect(cgroupNamesContainer(`0::/evil-${ID}-copy/x\n`, ID)).toBe(false);
  });
});

describe('containerIdsInCgroup', () => {
  it('lists each container ID a process\'s cgroup names once', () => {
    expect(containerIdsInCgroup(`4:memory:/docker/${ID}\n0::/docker/${ID}\n`)).toEqual([ID]);
    expect(containerIdsInCgroup(`0::/kubepods.slice/cri-containerd-${OTHER}.scope\n`)).toEqual([OTHER]);
    expect(containerIdsInCgroup('0::/\n')).toEqual([]);
  });
});
