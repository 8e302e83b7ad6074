import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../commands/index.js';
import { finishCompletion, planCompletion, type Candidate, type NameLookup } from '../../../src/core/completion.js';
import type { Command } from '../../../src/core/command.js';
import { CommandRegistry } from '../../../src/core/registry.js';
import { TERMINAL_COMMANDS } from '../../../src/cli/complete.js';

const registry = new CommandRegistry(COMMANDS);
const plan = (line: string) => planCompletion(line.split(' '), registry, TERMINAL_COMMANDS);
const values = (line: string) => plan(line).candidates.map((c) => c.value);
const lookups = (line: string) => plan(line).lookups.map((l) => ({ source: l.source, prefix: l.prefix, ...(l.namespace ? { namespace: l.namespace } : {}) }));

describe('planCompletion: what fits the word under the cursor, from the registry', () => {
  it('the first word: every registered command, then the terminal-only ones', () => {
    expect(values('')).toEqual([...COMMANDS.map((c) => c.name), 'console', 'serve', 'agent', 'completion']);
    expect(plan('').candidates[0]).toEqual({ value: 'help', description: COMMANDS[0]!.summary });
  });

  it('flags: the command\'s own, implied and universal ones; short forms unless "--" is typed; none given twice', () => {
    expect(values('pod --')).toEqual(['--namespace', '--all-namespaces', '--selector', '--context', '--kubeconfig', '--probe', '--json', '--output', '--public', '--help']);
    expect(values('pod -')).toContain('-A');
    expect(values('pod -n shop -')).not.toContain('-n');
    expect(values('pod -nshop -')).not.toContain('--namespace');
    expect(values('reach a b --')).not.toContain('--protocol');
    expect(values('completion -')).toEqual(['--help', '-h']);
  });

  it('a flag\'s value: fixed words, names to look up, or files', () => {
    expect(values('pod -o ')).toEqual(['json', 'wide', 'name']);
    expect(values('dns x --type ')).toEqual(['A', 'AAAA', 'SRV', 'PTR']);
    expect(values('pod --output=')).toEqual(['--output=json', '--output=wide', '--output=name']);
    expect(lookups('pod -n ')).toEqual([{ source: 'namespace', prefix: '' }]);
    expect(lookups('pod --namespace=s')).toEqual([{ source: 'namespace', prefix: '--namespace=' }]);
    expect(lookups('ping x --from ')).toEqual([{ source: 'container', prefix: '' }, { source: 'pod', prefix: '' }]);
    expect(lookups('audit --command ')).toEqual([{ source: 'command', prefix: '' }]);
    expect(plan('pod --kubeconfig ').files).toBe(true);
    expect(plan('pod ').files).toBe(false);
  });

  it('positional arguments: what each command says completes it', () => {
    expect(lookups('explain ')).toEqual([{ source: 'topic', prefix: '' }]);
    expect(lookups('ping ')).toEqual([{ source: 'container', prefix: '' }, { source: 'pod', prefix: '' }]);
    expect(lookups('reach web-1 ')).toEqual([{ source: 'container', prefix: '' }, { source: 'pod', prefix: '' }]);
    expect(lookups('reach web-1 db-0 ')).toEqual([]);
    expect(values('policy ')).toEqual(['map']);
    expect(values('completion ')).toEqual(['bash', 'zsh', 'fish']);
    expect(lookups('status ')).toEqual([]);
    expect(lookups('nonsense ')).toEqual([]);
  });

  it('TYPE/NAME and NS/NAME forms, for the kinds the argument takes', () => {
    expect(lookups('ping pod/we')).toEqual([{ source: 'pod', prefix: 'pod/' }]);
    expect(lookups('ping po/we')).toEqual([{ source: 'pod', prefix: 'po/' }]);
    expect(lookups('ping pod/shop/we')).toEqual([{ source: 'pod', prefix: 'pod/shop/', namespace: 'shop' }]);
    expect(lookups('ping shop/we')).toEqual([{ source: 'pod', prefix: 'shop/', namespace: 'shop' }]);
    expect(lookups('why svc/')).toEqual([{ source: 'service', prefix: 'svc/' }]);
    // A type the argument does not take offers nothing.
    expect(lookups('pod svc/')).toEqual([]);
    expect(values('changes ')).toEqual(['pod/', 'svc/', 'node/']);
    expect(plan('changes ').noSpace).toBe(true);
    expect(lookups('changes node/')).toEqual([{ source: 'node', prefix: 'node/' }]);
  });

  it('the scope for names comes from the flags on the line, as the command reads them', () => {
    expect(plan('pod --context kind-dev -n shop ').scope).toEqual({ context: 'kind-dev', namespace: 'shop', allNamespaces: false });
    expect(plan('pod --cluster=old -A --kubeconfig /tmp/k ').scope).toEqual({ context: 'old', allNamespaces: true, kubeconfig: '/tmp/k' });
    expect(plan('pod -An kube-system ').scope).toEqual({ namespace: 'kube-system', allNamespaces: true });
    // After "--" every word is an argument: "-n" is a name, not the flag.
    expect(plan('ping -- -n ').scope.namespace).toBeUndefined();
    expect(lookups('ping -- -')).toEqual([{ source: 'container', prefix: '' }, { source: 'pod', prefix: '' }]);
  });

  it('a command a test adds completes what it declares, with no change to completion', () => {
    const fake: Command = { name: 'fake', summary: 'x', args: [{ name: '<net>', required: true, completes: ['network'], values: ['all'] }], flags: ['namespace'], examples: ['fake x'], subject: { role: 'about', kind: 'topic' }, sendsPackets: 'never', run: () => Promise.reject(new Error('not run')) };
    const r = new CommandRegistry([fake]);
    const p = planCompletion(['fake', ''], r);
    expect(p.candidates).toEqual([{ value: 'all' }]);
    expect(p.lookups).toEqual([{ source: 'network', prefix: '' }]);
  });
});

describe('finishCompletion', () => {
  it('adds the names under their prefixes, keeps what starts with the word, and each once', () => {
    const p = plan('ping shop/we');
    const names = new Map<NameLookup, Candidate[]>([[p.lookups[0]!, [{ value: 'web-1' }, { value: 'web-2' }, { value: 'db-0' }, { value: 'web-1' }]]]);
    expect(finishCompletion(p, names).map((c) => c.value)).toEqual(['shop/web-1', 'shop/web-2']);
    expect(finishCompletion(plan('re'), new Map()).map((c) => c.value)).toEqual(['reach', 'report']);
  });
});
