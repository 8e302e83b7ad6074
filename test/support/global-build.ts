import { execFileSync } from 'node:child_process';

/** The end-to-end tests run the built `netpeek` binary as a user would, so build it once first. */
export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
