import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const UNIT = join(ROOT, 'test', 'unit');

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? testFiles(join(dir, e.name)) : e.name.endsWith('.test.ts') ? [join(dir, e.name)] : []));
}

/** test/unit/<path>.test.ts (and <path>.property.test.ts) tests src/<path>.ts (or commands/<name>.ts): the unit tests mirror the code. */
describe('test/unit mirrors src/', () => {
  it('every unit test file is named for the module it tests', () => {
    const orphans = testFiles(UNIT)
      .map((f) => relative(UNIT, f).replace(/(\.property)?\.test\.ts$/, ''))
      .filter((m) => !existsSync(join(ROOT, 'src', `${m}.ts`)) && !existsSync(join(ROOT, `${m}.ts`)));
    expect(orphans).toEqual([]);
  });
});
