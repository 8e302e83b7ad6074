// Preloaded into a netpeek process (NODE_OPTIONS=--import=<this file>) by test/e2e/startup-modules.test.ts:
// appends to $NETPEEK_MODULES_LOG every module that process loads from node_modules, the ESM ones (through
// a resolve hook) and the CommonJS ones (require.cache at exit). Nothing else changes in the process.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

const log = process.env.NETPEEK_MODULES_LOG;
if (log) {
  register(new URL('./record-modules-hooks.mjs', import.meta.url));
  const cache = createRequire(import.meta.url).cache;
  process.on('exit', () => {
    const files = Object.keys(cache).filter((f) => f.includes('/node_modules/'));
    if (files.length) appendFileSync(log, `${files.join('\n')}\n`);
  });
}
