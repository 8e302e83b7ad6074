import { execFileSync } from 'node:child_process';
import { machineReport } from './machine.js';

/**
 * Says first what the machine lacks (one line each: what, why, the command that installs it), then
 * builds the `netpeek` binary (dist/, then its bundle) once: the end-to-end tests run it as a user would.
 */
export default function setup(): void {
  for (const line of machineReport()) process.stderr.write(`${line}\n`);
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  // The `bin` entry the end-to-end tests run: the bundle of the same sources (package.json's bundle script).
  execFileSync('npm', ['run', '-s', 'bundle'], { stdio: 'inherit' });
}
