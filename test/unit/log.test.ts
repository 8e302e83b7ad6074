import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, deferredLogger, type Logger } from '../../src/log.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({ write: (c: Buffer, _e, cb) => (c.toString().split('\n').filter(Boolean).forEach((l) => lines.push(JSON.parse(l) as Record<string, unknown>)), cb()) });
  return { lines, stream };
}

describe('deferredLogger: pino only once something is logged (issue 19)', () => {
  it('makes no logger for lines below its level, then one logger for every line at or above it', () => {
    const { lines, stream } = capture();
    let made = 0;
    const log = deferredLogger('warn', () => (made++, createLogger('warn', stream)));
    log.info('not shown');
    log.debug({ a: 1 }, 'not shown either');
    expect(log.level).toBe('warn');
    expect(log.isLevelEnabled('info')).toBe(false);
    expect(log.isLevelEnabled('error')).toBe(true);
    expect(made).toBe(0);
    log.warn({ slack: { botToken: 'xoxb-1-2' } }, 'first');
    log.error('second');
    expect(made).toBe(1);
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [40, 'first'],
      [50, 'second'],
    ]);
    expect((lines[0]!.slack as { botToken: string }).botToken).toBe('[Redacted]');
  });

  it('defers a child too: it is made from its parent, with its bindings, when it first logs', () => {
    const { lines, stream } = capture();
    let made = 0;
    const log = deferredLogger('info', () => (made++, createLogger('info', stream)));
    const child: Logger = log.child({ component: 'kubernetes' });
    child.debug('below info');
    expect(made).toBe(0);
    child.info('watch started');
    expect(made).toBe(1);
    expect(lines).toEqual([expect.objectContaining({ component: 'kubernetes', msg: 'watch started', service: 'netpeek' })]);
  });

  it('silent never makes a logger', () => {
    let made = 0;
    const log = deferredLogger('silent', () => (made++, createLogger('silent')));
    log.fatal('x');
    log.child({ a: 1 }).error('y');
    expect(made).toBe(0);
  });
});
