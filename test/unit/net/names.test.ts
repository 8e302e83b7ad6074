import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/core/errors.js';
import { checkDockerName, checkKubernetesName, isDnsLabel, isDnsSubdomain, isIdPrefix } from '../../../src/net/names.js';

function userError(fn: () => unknown): UserError {
  try {
    fn();
  } catch (err) {
    if (err instanceof UserError) return err;
    throw err;
  }
  throw new Error('expected a UserError');
}

describe('Docker names', () => {
  it.each(['webserver-1', 'my_app.web.1', 'a', '3f2a9c', 'Web2'])('accepts %s', (name) => {
    expect(checkDockerName(name, 'container')).toBe(name);
  });

  it('drops the leading slash docker inspect prints', () => {
    expect(checkDockerName('/webserver-1', 'container')).toBe('webserver-1');
  });

  it.each([
    ['-web', /starts with "-"/],
    ['.hidden', /starts with "\."/],
    ['web server', /contains " "/],
    ['web/1', /contains "\/"/],
    ['wéb', /contains "é"/],
  ])('rejects %j and says why', (name, why) => {
    const err = userError(() => checkDockerName(name, 'container'));
    expect(err.code).toBe('bad_input');
    expect(err.message).toMatch(why);
    expect(err.details.join('\n')).toMatch(/starts with a letter or digit.*"_", "\." or "-"/);
    expect(err.details.join('\n')).toMatch(/Example: container webserver-1/);
  });

  it('asks for a name when given none, and refuses absurd lengths', () => {
    expect(userError(() => checkDockerName('', 'network')).message).toMatch(/network's name or ID prefix/);
    expect(userError(() => checkDockerName('/', 'container')).message).toMatch(/name or ID prefix/);
    expect(userError(() => checkDockerName('a'.repeat(300), 'container')).message).toMatch(/at most 255/);
  });

  it('uses the network example for networks', () => {
    expect(userError(() => checkDockerName('bad name', 'network')).details.join(' ')).toMatch(/network bridge/);
  });

  it('recognises hex ID prefixes', () => {
    expect(isIdPrefix('3f2a9c')).toBe(true);
    expect(isIdPrefix('a'.repeat(64))).toBe(true);
    expect(isIdPrefix('a'.repeat(65))).toBe(false);
    expect(isIdPrefix('3F2A')).toBe(false);
    expect(isIdPrefix('web')).toBe(false);
  });
});

describe('Kubernetes names', () => {
  it('accepts RFC 1123 subdomains for pods and labels for namespaces', () => {
    expect(checkKubernetesName('webserver-2', 'pod')).toBe('webserver-2');
    expect(checkKubernetesName('web.v2-7d9f', 'pod')).toBe('web.v2-7d9f');
    expect(checkKubernetesName('kube-system', 'namespace')).toBe('kube-system');
    expect(checkKubernetesName('0abc', 'namespace')).toBe('0abc');
    expect(checkKubernetesName('web-frontend', 'service')).toBe('web-frontend');
  });

  it.each([
    ['WebServer', 'pod', /lower-case/],
    ['web_server', 'pod', /contains "_"/],
    ['-web', 'pod', /start and end with a letter or digit/],
    ['web-', 'namespace', /start and end/],
    ['kube.system', 'namespace', /may not contain "\."/],
    ['1web', 'service', /must start with a letter/],
  ] as const)('rejects %j as a %s name and says why', (name, kind, why) => {
    const err = userError(() => checkKubernetesName(name, kind));
    expect(err.message).toMatch(why);
    expect(err.details.join(' ')).toMatch(/RFC 1123|RFC 1035/);
    expect(err.details.join(' ')).toMatch(/Example:/);
  });

  it('enforces the length limits', () => {
    expect(() => checkKubernetesName('a'.repeat(64), 'namespace')).toThrow(/at most 63/);
    expect(checkKubernetesName('a'.repeat(63), 'namespace')).toHaveLength(63);
    expect(() => checkKubernetesName(`${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(71)}`, 'pod')).toThrow(/at most 253/);
    expect(() => checkKubernetesName('', 'pod')).toThrow(/Give the pod's name/);
  });

  it('exposes the plain predicates', () => {
    expect(isDnsLabel('web-1')).toBe(true);
    expect(isDnsLabel('web.1')).toBe(false);
    expect(isDnsSubdomain('web.1')).toBe(true);
    expect(isDnsSubdomain('Web')).toBe(false);
  });
});
