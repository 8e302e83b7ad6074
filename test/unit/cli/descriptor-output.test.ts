/** A one-shot answer written straight to its file descriptor: whole, in order, without making the stream. */
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { descriptorOutput } from '../../../src/cli/descriptor-output.js';

describe('descriptorOutput', () => {
  it('writes every byte of each text, in order, and never asks for the stream when the descriptor takes it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'netpeek-fd-output-'));
    const file = join(dir, 'out');
    const fd = openSync(file, 'w');
    try {
      const out = descriptorOutput(fd, () => {
        throw new Error('the stream was made');
      });
      const long = `${'pod web-1 → 10.244.1.5 ✓\n'.repeat(4000)}`;
      expect(out.write('first line\n')).toBe(true);
      expect(out.write(long)).toBe(true);
      closeSync(fd);
      expect(readFileSync(file, 'utf8')).toBe(`first line\n${long}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
