import { describe, expect, it } from 'vitest';
import { formatQuery, nearestFlag, parseQuery, parseTokens, refuseTerminalOnlyFlags, sanitize, tokenize } from '../../../src/core/query.js';
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
    expect(() => parseQuery('reach a b --protocol udp')).toThrow('unknown flag --protocol (not a netpeek flag).');
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
    ['--colour', /^unknown flag --colour \(not a netpeek flag\)\.$/],
    ['--contxt dev', /^unknown flag --contxt; did you mean --context\?$/],
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

describe('kubectl conventions', () => {
  it('--context, and --cluster as its older spelling (also with =)', () => {
    expect(parseQuery('pod web --context kind-dev').flags).toEqual({ cluster: 'kind-dev' });
    expect(parseQuery('pod web --cluster kind-dev').flags).toEqual({ cluster: 'kind-dev' });
    expect(parseQuery('pod web --cluster=kind-dev').flags).toEqual({ cluster: 'kind-dev' });
    expect(formatQuery(parseQuery('pod web --cluster kind-dev'))).toBe('pod web --context kind-dev');
    // After "--" a word is a name, not a flag.
    expect(parseQuery('explain -- --cluster').args).toEqual(['--cluster']);
  });

  it('-A/--all-namespaces, -l/--selector, -o/--output, --kubeconfig', () => {
    expect(parseQuery('pod -A').flags).toEqual({ allNamespaces: true });
    expect(parseQuery('pod --all-namespaces').flags).toEqual({ allNamespaces: true });
    expect(parseQuery('pod -l app=web -n shop').flags).toEqual({ selector: 'app=web', namespace: 'shop' });
    expect(parseQuery('pod --selector=app=web,tier!=db').flags).toEqual({ selector: 'app=web,tier!=db' });
    expect(parseQuery('pod -o wide').flags).toEqual({ output: 'wide' });
    expect(parseQuery('pod --output=name').flags).toEqual({ output: 'name' });
    expect(parseQuery('pod -o JSON').flags).toEqual({ output: 'json', json: true });
    expect(parseQuery('pod x --kubeconfig /tmp/k.yaml').flags).toEqual({ kubeconfig: '/tmp/k.yaml' });
    expect(formatQuery(parseQuery('pod -l app=web -A -n shop'))).toBe('pod -n shop -A -l app=web');
  });

  it('a set-based selector keeps its parentheses and "!" (they are parsed, never run); elsewhere they are refused', () => {
    expect(parseTokens(['pod', '-l', 'env in (prod,staging),!canary']).flags.selector).toBe('env in (prod,staging),!canary');
    expect(parseQuery(`pod -l "env notin (dev)"`).flags.selector).toBe('env notin (dev)');
    expect(errorOf(() => parseTokens(['pod', '(web)'])).message).toMatch(/contains "\("/);
    expect(errorOf(() => parseTokens(['pod', '-l', 'app=web;reboot'])).message).toMatch(/contains ";"/);
  });

  it('bad -o and -l values say what is accepted', () => {
    const o = errorOf(() => parseQuery('pod web -o yaml'));
    expect(o.message).toBe('-o/--output takes json, wide or name; got "yaml".');
    expect(o.details[0]).toMatch(/pod web-1 -o wide/);
    expect(errorOf(() => parseQuery('pod -l ""')).message).toBe('-l/--selector needs a label query.');
  });

  it.each([
    ['--contxt', '--context'],
    ['--namspace', '--namespace'],
    ['--selectr', '--selector'],
    ['--all-namespace', '--all-namespaces'],
    ['--outptu', '--output'],
    ['--kubeconfg', '--kubeconfig'],
    ['--clustr', '--cluster'],
    ['--jsn', '--json'],
    ['--no-prob', '--no-probe'],
    ['--contxt=dev', '--context'],
  ])('unknown flag %s suggests %s', (typed, near) => {
    expect(nearestFlag(typed)).toBe(near);
    expect(errorOf(() => parseQuery(`pod web ${typed}${typed.includes('=') ? '' : ' x'}`)).message).toBe(`unknown flag ${typed.split('=')[0]}; did you mean ${near}?`);
  });

  it('a flag nothing is near is just unknown; a one-letter flag suggests its other case', () => {
    expect(nearestFlag('--frobnicate')).toBeUndefined();
    expect(errorOf(() => parseQuery('pod web --frobnicate')).message).toBe('unknown flag --frobnicate (not a netpeek flag).');
    expect(nearestFlag('-a')).toBe('-A');
    expect(errorOf(() => parseQuery('pod -a')).message).toBe('unknown flag -a; did you mean -A?');
    expect(nearestFlag('-z')).toBeUndefined();
  });

  it('--kubeconfig is refused in Slack and in the console, each saying what to do instead', () => {
    const q = parseQuery('pod web --kubeconfig /tmp/k');
    expect(errorOf(() => refuseTerminalOnlyFlags(q, 'slack')).message).toBe('--kubeconfig works only in the terminal: in Slack netpeek reads its own kubeconfig, and a file path on your machine means nothing to it.');
    expect(errorOf(() => refuseTerminalOnlyFlags(q, 'slack')).details).toContain('Example: pod webserver-2 --context kind-dev');
    expect(errorOf(() => refuseTerminalOnlyFlags(q, 'console')).details).toEqual(['Example: netpeek console --kubeconfig ~/.kube/dev.yaml']);
    expect(() => refuseTerminalOnlyFlags(parseQuery('pod web --context x'), 'slack')).not.toThrow();
  });
});
