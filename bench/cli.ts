/**
 * One-shot CLI start-up (issue 19): whole processes, median of 7, each beside the tool it replaces,
 * measured in the same run. Peak RSS from /usr/bin/time -v (the kernel's maxrss of the child).
 * Runs the built binary: `npm run build` first.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { machineLine, median, repoRoot, writeSection } from './results-file.js';

const RUNS = 7;
const TIME = '/usr/bin/time';
const BUSYBOX_IMAGE = 'netpeek-test/busybox-net:1';
const main = join(repoRoot(), 'dist', 'src', 'main.js');
if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build first`);
if (!existsSync(TIME)) throw new Error(`${TIME} is missing (Debian package "time")`);

interface Run {
  seconds: number;
  rssMb: number;
}

/** One whole process under /usr/bin/time -v; the exit code must be 0 so a failing command is not timed as fast. */
function runOnce(cmd: string, args: string[]): Run {
  const started = process.hrtime.bigint();
  const r = spawnSync(TIME, ['-v', cmd, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  const kb = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1];
  return { seconds, rssMb: Number(kb) / 1024 };
}

function measure(cmd: string, args: string[]): { seconds: number; rssMb: number } {
  runOnce(cmd, args); // warm the page cache; not counted
  const runs = Array.from({ length: RUNS }, () => runOnce(cmd, args));
  return { seconds: median(runs.map((r) => r.seconds)), rssMb: Math.max(...runs.map((r) => r.rssMb)) };
}

const name = `netpeek-bench-cli-${randomBytes(4).toString('hex')}`;
execFileSync('docker', ['create', '--name', name, BUSYBOX_IMAGE, 'sleep', '60'], { stdio: 'ignore' });
try {
  const rows = [
    { question: '`netpeek explain expose` vs `node -e 0`', ours: measure('node', [main, 'explain', 'expose']), theirs: measure('node', ['-e', '0']), target: 1.5 },
    { question: '`netpeek container X` vs `docker inspect X`', ours: measure('node', [main, 'container', name]), theirs: measure('docker', ['inspect', name]), target: 3 },
  ];
  const table = rows.map((r) => {
    const ratio = r.ours.seconds / r.theirs.seconds;
    return `| ${r.question} | ${r.ours.seconds.toFixed(3)} s | ${r.theirs.seconds.toFixed(3)} s | ${ratio.toFixed(1)}× (target ≤ ${r.target}×: ${ratio <= r.target ? 'met' : 'NOT met'}) | ${r.ours.rssMb.toFixed(0)} MB (target ≤ 80 MB: ${r.ours.rssMb <= 80 ? 'met' : 'NOT met'}) |`;
  });
  const md = [
    '## CLI start-up (issue 19)',
    '',
    `Whole processes, median of ${RUNS} (after one uncounted warm-up), baseline in the same run; peak RSS = the largest maxrss of the ${RUNS} runs (/usr/bin/time -v). \`npm run bench:cli\`.`,
    '',
    '| question | netpeek | baseline | ratio | netpeek peak RSS |',
    '| --- | --- | --- | --- | --- |',
    ...table,
    '',
    machineLine(),
  ].join('\n');
  writeSection('cli-startup', md);
  process.stdout.write(`${md}\n`);
} finally {
  execFileSync('docker', ['rm', '-f', name], { stdio: 'ignore' });
}
