import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SYSTEM_PACKAGES, machineReport, missingPieces, parsePackageList } from '../support/machine.js';

/** The README's test command (`npm run test:all`) and what it says about a machine that lacks something. */
describe('npm run test:all: the system packages and the missing-piece lines', () => {
  it('lists the packages the suites need, the ones test/all.sh installs with apt-get', () => {
    expect(SYSTEM_PACKAGES.map((p) => p.name)).toEqual(expect.arrayContaining(['docker.io', 'fping', 'iputils-ping', 'iproute2', 'busybox-static']));
    const script = readFileSync(new URL('../all.sh', import.meta.url), 'utf8');
    expect(script).toContain('test/support/system-packages.txt');
    expect(script).toMatch(/apt-get install -y -qq "\$\{absent\[@\]\}"/);
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts['test:all']).toBe('bash test/all.sh');
    expect(readFileSync(new URL('../../.ci/run', import.meta.url), 'utf8')).toMatch(/^npm run test:all -- --reporter=default --reporter=json/m);
  });

  it('a package line names the package, what provides it and why; a malformed line is refused with the expected shape', () => {
    expect(parsePackageList('# comment\npostgresql | /usr/lib/postgresql | the PostgreSQL store tests\n')).toEqual([
      { name: 'postgresql', provides: '/usr/lib/postgresql', why: 'the PostgreSQL store tests' },
    ]);
    expect(() => parsePackageList('fping | fping\n')).toThrow('system-packages.txt, entry 1: expected "package | program or /path | why", got "fping | fping"');
  });

  it('a program missing from PATH gives one line: what, why, and the apt-get command', () => {
    const lines = machineReport(SYSTEM_PACKAGES, '/nonexistent');
    const fping = lines.filter((l) => l.includes('fping (fping)'));
    expect(fping).toEqual(['missing: fping (fping) is not installed — ICMP sweeps by the local prober and the agent — install it: apt-get install -y fping (as root; npm run test:all does it)']);
    expect(lines.some((l) => l.includes('apt-get install -y iputils-ping'))).toBe(true);
  });

  it('one line per missing piece, in the order the suite names them; nothing for what is there', () => {
    const packages = parsePackageList('nosuch-a | /nonexistent/a | first\nnosuch-b | nosuch-program-b | second\nsh | /bin/sh | the shell\n');
    const absent = missingPieces(['nosuch-b', 'sh', 'nosuch-a'], packages, '/bin:/usr/bin');
    expect(absent.map((m) => m.need)).toEqual(['nosuch-b', 'nosuch-a']);
    expect(absent[0]!.line).toBe('nosuch-b (nosuch-program-b) is not installed — second — install it: apt-get install -y nosuch-b (as root; npm run test:all does it)');
    expect(() => missingPieces(['postgres'], packages)).toThrow('unknown need "postgres": add it to test/support/system-packages.txt');
  });
});
