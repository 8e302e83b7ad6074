// The resolve hook of record-modules.mjs (it runs on the loader's thread): notes each ESM module from node_modules.
import { appendFileSync } from 'node:fs';

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (resolved.url.includes('/node_modules/')) appendFileSync(process.env.NETPEEK_MODULES_LOG, `${resolved.url}\n`);
  return resolved;
}
