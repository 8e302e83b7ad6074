import { readlinkSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readLinkOrEmpty } from '../../../src/probe/small-proc-reads.js';

describe('readLinkOrEmpty: a /proc link, or nothing', () => {
  it("this process's namespace link as the kernel names it; '' for a process that does not exist", () => {
    expect(readLinkOrEmpty('/proc/self/ns/net')).toBe(readlinkSync('/proc/self/ns/net'));
    expect(readLinkOrEmpty('/proc/self/ns/net')).toMatch(/^net:\[\d+\]$/);
    expect(readLinkOrEmpty('/proc/999999999/ns/net')).toBe('');
  });
});
