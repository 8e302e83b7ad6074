import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../commands/index.js';
import { UserError } from '../../../src/core/errors.js';
import { parseQuery } from '../../../src/core/query.js';
import { CommandRegistry } from '../../../src/core/registry.js';
import { normalizeTarget, typeWords } from '../../../src/core/targets.js';

const registry = new CommandRegistry(COMMANDS);
const norm = (text: string) => {
  const q = parseQuery(text);
  return normalizeTarget(registry.resolve(q), q, registry);
};
const refusal = (text: string): UserError => {
  try {
    norm(text);
  } catch (err) {
    if (err instanceof UserError) return err;
    throw err;
  }
  throw new Error(`${text} was accepted`);
};

describe('TYPE/NAME and NS/NAME targets', () => {
  it('type words come from the lookup commands, singular and plural', () => {
    const words = typeWords(registry);
    expect(['pod', 'po', 'pods', 'svc', 'service', 'services', 'node', 'nodes', 'container'].map((w) => words.get(w))).toEqual(['pod', 'pod', 'pod', 'service', 'service', 'service', 'node', 'node', 'container']);
  });

  it.each([
    ['pod pod/web-1', ['web-1'], undefined],
    ['pod po/web-1', ['web-1'], undefined],
    ['pod PODS/web-1', ['web-1'], undefined],
    ['pod shop/web-1', ['web-1'], 'shop'],
    ['pod po/shop/web-1', ['web-1'], 'shop'],
    ['pod shop/web-1 -n shop', ['web-1'], 'shop'],
    ['svc service/web -n shop', ['web'], 'shop'],
    ['svc kube-system/kube-dns', ['kube-dns'], 'kube-system'],
    ['node node/node-1', ['node-1'], undefined],
    ['pod web-1', ['web-1'], undefined],
  ])('%s', (text, args, namespace) => {
    const q = norm(text);
    expect(q.args).toEqual(args);
    expect(q.flags.namespace).toBe(namespace);
  });

  it('leaves Docker names and probe targets as typed', () => {
    expect(norm('container /webserver-1').args).toEqual(['/webserver-1']);
    expect(norm('ping pod/web-1').args).toEqual(['pod/web-1']);
    expect(norm('reach shop/web-1 shop/db-0').args).toEqual(['shop/web-1', 'shop/db-0']);
  });

  it('refuses another kind, a disagreeing -n and forms with too many parts', () => {
    expect(refusal('pod svc/web').message).toBe('"svc/web" names a service, and pod looks up a pod.');
    expect(refusal('pod svc/web').details).toEqual(['Ask `svc web` instead.']);
    expect(refusal('svc pod/shop/web-1').details).toEqual(['Ask `pod shop/web-1` instead.']);
    expect(refusal('pod shop/web-1 -n default').message).toBe('"shop/web-1" says namespace shop, and -n says default; give one.');
    expect(refusal('pod a/b/c').message).toBe('"a/b/c" is not a pod reference netpeek reads.');
    expect(refusal('node shop/node-1').details[0]).toBe('Accepted: node <name> or node node/<name>');
  });
});
