import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { E2E_REQUIRED } from './backends.js';

/**
 * Compares `content` with a golden file next to the test (`new URL('./__golden__/x', import.meta.url)`).
 * Locally a missing golden is written, for review and commit; in CI (CI or NETPEEK_E2E_REQUIRED=1) a
 * missing golden fails, so a layout change never passes by writing its own expectation.
 */
export async function expectGolden(url: URL, content: string): Promise<void> {
  const file = fileURLToPath(url);
  if (!existsSync(file) && (E2E_REQUIRED || Boolean(process.env.CI))) {
    throw new Error(`golden ${relative(process.cwd(), file)} is missing: run this test once without CI/NETPEEK_E2E_REQUIRED to write it, review it, and commit it`);
  }
  await expect(content).toMatchFileSnapshot(file);
}
