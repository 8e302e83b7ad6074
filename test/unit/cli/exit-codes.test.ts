/** The one-shot CLI's exit codes: an answer's diagnosis decides 0 or 4, and README documents every code. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXIT, exitCodeForAnswer } from '../../../src/cli/exit-codes.js';
import { newAnswer } from '../../../src/core/answer.js';

describe('exit codes', () => {
  it('an answer without diagnosis, or whose diagnosis has no failure, exits 0; a failed step exits 4', () => {
    expect(exitCodeForAnswer(newAnswer('pod', 'pod web-1', {}))).toBe(0);
    const warnOnly = newAnswer('why', 'why svc/web', { diagnosis: { firstFailure: null, steps: [{ id: 'target-port', status: 'warn', evidence: 'e' }, { id: 'probe', status: 'skip', evidence: 'Not checked: x.' }] } });
    expect(exitCodeForAnswer(warnOnly)).toBe(0);
    const broken = newAnswer('why', 'why svc/web', { diagnosis: { firstFailure: 'selector', steps: [{ id: 'selector', status: 'fail', evidence: 'e' }] } });
    expect(exitCodeForAnswer(broken)).toBe(EXIT.diagnosisFailed);
    expect(EXIT.diagnosisFailed).toBe(4);
  });

  it('README\'s "In a terminal" section names every exit code', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## In a terminal'), readme.indexOf('\n## ', readme.indexOf('## In a terminal') + 3));
    for (const code of Object.values(EXIT)) expect(section).toContain(`\`${code}\``);
  });
});
