import { describe, expect, it } from 'vitest';
import { formatQuery, parseQuery, parseTokens, sanitize, tokenize } from '../../../src/core/query.js';
import { UserError } from '../../../src/core/errors.js';

function errorOf(fn: () => unknown): UserError {
  try {
    fn();
  } catch (err) {
    if (err instanceof UserError) return err;
    throw err;
  }
  throw new Error('expected a UserError');
}

describe('parseQuery', () => {
  it('reads the slash-command form and the bare form alike', () => {
    const a = parseQuery('/netpeek container webserver-1');
    const b = parseQuery('container webserver-1');
    expect(a).toMatchObject({ command: 'container', args: ['webserver-1'] });
    expect(b.command).toBe(a.command);
    expect(b.args).toEqual(a.args);
  });

  it('reads namespace, cluster, port, count and switches', () => {
    const q = parseQuery('ping webserver-2 -n shop --cluster prod-eu --port 8080 --count 3 --json --public --probe');
    expect(q.command).toBe('ping');
    expect(q.args).toEqual(['webserver-2']);
    expect(q.flags).toEqual({ namespace: 'shop', cluster: 'prod-eu', port: 8080, count: 3, json: true, public: true, probe: true });
  });

  it('reads --port N/protocol and --no-probe, and writes them back', () => {
    const q = parseQuery('reach web/web-1 shop/db-0 --port 53/UDP --no-probe');
    expect(q.flags).toEqual({ port: 53, protocol: 'udp', noProbe: true });
    expect(formatQuery(q)).toBe('reach web/web-1 shop/db-0 --port 53/udp --no-probe');
    expect(parseQuery('reach a b --port 8080/tcp').flags).toEqual({ port: 8080, protocol: 'tcp' });
    expect(() => parseQuery('reach a b --port 80/icmp')).toThrow('--port takes a number, optionally followed by /tcp, /udp or /sctp; got "80/icmp".');
    expect(() => parseQuery('reach a b --port x/udp')).toThrow('--port must be a whole number from 1 to 65535; got "x".');
    expect(() => parseQuery('reach a b --protocol udp')).toThrow('--protocol is not a netpeek flag.');
  });

  it('undoes what Slack and macOS do to typed text', () => {
    expect(sanitize('pod web \u2014port 80')).toBe('pod web --port 80');
    expect(sanitize('reach <http://web-1.example|web-1.example> db')).toBe('reach web-1.example db');
    expect(sanitize('<@U123ABC> pod web')).toBe('pod web');
    expect(parseQuery('container \u201Cwebserver-1\u201D').args).toEqual(['webserver-1']);
  });

  it('groups quoted words and rejects an unclosed quote', () => {
    expect(tokenize(`explain "docker desktop"`)).toEqual(['explain', 'docker desktop']);
    expect(errorOf(() => parseQuery('container "web')).message).toMatch(/quote is not closed/);
  });

  it('lowercases the command word only', () => {
    const q = parseQuery('CONTAINER WebServer-1');
    expect(q.command).toBe('container');
    expect(q.args).toEqual(['WebServer-1']);
  });

  it.each([
    ['--port 0', /--port must be from 1 to 65535; got 0/],
    ['--port 70000', /--port must be from 1 to 65535; got 70000/],
    ['--port http', /--port must be a whole number from 1 to 65535; got "http"/],
    ['--count 99', /--count must be from 1 to 20/],
    ['--colour', /--colour is not a netpeek flag/],
    ['--port', /--port needs a value/],
    ['-n', /--namespace needs a value/],
  ])('explains a bad flag: %s', (flags, message) => {
    const err = errorOf(() => parseQuery(`ping web ${flags}`));
    expect(err.message).toMatch(message);
    expect(err.details.join(' ')).toMatch(/Example|Flags/);
  });

  it.each(['web; rm -rf /', 'web|cat', '$(reboot)', '`id`', 'web && ls', 'a>b'])('refuses shell metacharacters: %s', (text) => {
    const err = errorOf(() => parseQuery(`container ${text}`));
    expect(err.message).toMatch(/never runs a shell|no container, pod or network name can contain/);
  });

  it('refuses very long input with the limit named', () => {
    const err = errorOf(() => parseQuery(`container ${'a'.repeat(600)}`));
    expect(err.message).toMatch(/at most 500/);
  });

  it('refuses control characters', () => {
    expect(errorOf(() => parseTokens(['container', 'web\u0007'])).message).toMatch(/control characters/);
  });

  it('an empty question has an empty command (the registry explains)', () => {
    expect(parseQuery('  /netpeek  ').command).toBe('');
  });
});
