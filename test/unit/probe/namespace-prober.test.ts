import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AllowList } from '../../../src/net/address-policy.js';
import { NamespaceProber } from '../../../src/probe/namespace-prober.js';
import { checkContainerProcess } from '../../../src/probe/workload-process.js';

/**
 * A fake procfs where /proc/<pid>/ns/net reads as the namespace netpeek checked (`net:[4026539999]`) but
 * opens as something else: what a PID reused between the check and nsenter looks like from here. The
 * prober must refuse before any program starts — nsenterPath names a program that does not exist, so
 * reaching it would answer "nsenter is not installed" instead.
 */
const ID = 'd'.repeat(64);
const root = mkdtempSync(join(tmpdir(), 'netpeek-fake-proc-'));
const link = (path: string, target: string) => {
  mkdirSync(join(root, path, '..'), { recursive: true });
  symlinkSync(target, join(root, path));
};
mkdirSync(join(root, '4242', 'ns'), { recursive: true });
writeFileSync(join(root, '4242', 'cgroup'), `0::/system.slice/docker-${ID}.scope\n`);
link('4242/ns/net', 'net:[4026539999]');
// Opening the link follows it to this plain file: its inode is not 4026539999.
writeFileSync(join(root, '4242', 'ns', 'net:[4026539999]'), '');
link('self/ns/net', 'net:[4026531840]');
link('1/ns/net', 'net:[4026531840]');

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('NamespaceProber enters the namespace it checked, not whatever the PID is now', () => {
  it('refuses when the namespace file it opens is not the one netpeek verified, and starts nothing', async () => {
    const checked = await checkContainerProcess(4242, ID, 'web-1', { procRoot: root });
    expect(checked.netns).toBe('net:[4026539999]');
    const prober = new NamespaceProber({ process: checked, allowList: new AllowList(['127.0.0.0/8']), procRoot: root, nsenterPath: join(root, 'no-such-nsenter') });
    const [r] = await prober.probe([{ kind: 'tcp', ip: '127.0.0.1', port: 9 }], { timeoutMs: 500 });
    expect(r).toMatchObject({ ok: false, error: 'error', via: 'web-1' });
    expect(r!.detail).toBe('could not probe from inside web-1: the process of web-1 changed namespace since netpeek checked it; nothing was sent');
  });

  it('says the process is gone when its namespace file can no longer be opened', async () => {
    const checked = await checkContainerProcess(4242, ID, 'web-1', { procRoot: root });
    rmSync(join(root, '4242', 'ns', 'net:[4026539999]'));
    try {
      const prober = new NamespaceProber({ process: checked, allowList: new AllowList(['127.0.0.0/8']), procRoot: root, nsenterPath: join(root, 'no-such-nsenter') });
      const [r] = await prober.probe([{ kind: 'tcp', ip: '127.0.0.1', port: 9 }], { timeoutMs: 500 });
      expect(r!.detail).toBe('could not probe from inside web-1: the process of web-1 is gone; nothing was sent');
    } finally {
      writeFileSync(join(root, '4242', 'ns', 'net:[4026539999]'), '');
    }
  });
});
