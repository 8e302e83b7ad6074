import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../commands/index.js';
import { CommandRegistry } from '../../../src/core/registry.js';
import { lookupCommandFor as lookupIn, type MentionContext, readMention } from '../../../src/slack/lenient-question.js';
import type { ThreadSubject } from '../../../src/slack/thread-subject.js';

const commands = new CommandRegistry(COMMANDS);
const ctx = (subject?: ThreadSubject): MentionContext => ({ commands, subject });
const lookupCommandFor = (...a: [string | undefined, ThreadSubject | undefined, boolean]) => lookupIn(commands, ...a);
const pod: ThreadSubject = { kind: 'pod', name: 'webserver-2', namespace: 'shop' };
const container: ThreadSubject = { kind: 'container', name: 'webserver-1' };

/** [text, subject, expected tokens, focus?] */
const CASES: [string, ThreadSubject | undefined, string[], ('ports' | 'explain')?][] = [
  ["why can't I reach webserver-2 on 8080?", undefined, ['ping', 'webserver-2', '--port', '8080']],
  ['why can\u2019t I reach webserver-2 on port 8080', undefined, ['ping', 'webserver-2', '--port', '8080']],
  ['<@U0BOT> why cannot we reach webserver-2:8080?', undefined, ['ping', 'webserver-2', '--port', '8080']],
  ['can you ping webserver-2', undefined, ['ping', 'webserver-2']],
  ['is webserver-2 reachable on 443?', undefined, ['ping', 'webserver-2', '--port', '443']],
  ['is it up?', pod, ['ping', 'webserver-2', '-n', 'shop']],
  ['why is webserver-2 unreachable', undefined, ['ping', 'webserver-2']],
  ['can web-1 reach db-0 on 5432?', undefined, ['reach', 'web-1', 'db-0', '--port', '5432']],
  ["why can't the pod web-1 reach db-0", undefined, ['reach', 'web-1', 'db-0']],
  ["what's the IP of webserver-1", undefined, ['container', 'webserver-1']],
  ['What is the IP address of webserver-1?', undefined, ['container', 'webserver-1']],
  ["what's the IP of webserver-1", pod, ['pod', 'webserver-1']],
  ["what's the IP of the pod webserver-1", undefined, ['pod', 'webserver-1']],
  ["what's the ip of the container webserver-1", pod, ['container', 'webserver-1']],
  ['what is the ip of webserver-2 in namespace payments', undefined, ['pod', 'webserver-2', '-n', 'payments']],
  ['where is webserver-1?', undefined, ['container', 'webserver-1']],
  ['which IP does webserver-1 have', undefined, ['container', 'webserver-1']],
  ['webserver-1 ip', undefined, ['container', 'webserver-1']],
  ['ping it', pod, ['ping', 'webserver-2', '-n', 'shop']],
  ['ping it on 8080', container, ['ping', 'webserver-1', '--port', '8080']],
  ['probe that', container, ['ping', 'webserver-1']],
  ['can you reach it on port 80?', pod, ['ping', 'webserver-2', '-n', 'shop', '--port', '80']],
  ['ports?', pod, ['pod', 'webserver-2', '-n', 'shop'], 'ports'],
  ['ports?', container, ['container', 'webserver-1'], 'ports'],
  ['what ports does webserver-1 listen on?', undefined, ['container', 'webserver-1'], 'ports'],
  ['show me the ports of the pod api-0', undefined, ['pod', 'api-0'], 'ports'],
  ['why?', container, ['container', 'webserver-1'], 'explain'],
  ['explain it', pod, ['pod', 'webserver-2', '-n', 'shop'], 'explain'],
  ['hey, ping webserver-2 please', undefined, ['ping', 'webserver-2']],
];

describe('readMention: plain questions', () => {
  for (const [text, subject, tokens, focus] of CASES) {
    it(`${JSON.stringify(text)}${subject ? ` (thread: ${subject.kind} ${subject.name})` : ''} → ${tokens.join(' ')}${focus ? ` [${focus}]` : ''}`, () => {
      const r = readMention(text, ctx(subject));
      expect(r).toMatchObject({ kind: 'command', tokens, lenient: true });
      if (r.kind === 'command') expect(r.focus).toBe(focus);
    });
  }
});

describe('readMention: typed commands', () => {
  it('leaves a typed command to the strict parser', () => {
    expect(readMention('container webserver-1', ctx())).toEqual({ kind: 'strict', text: 'container webserver-1' });
    expect(readMention('ping webserver-2 --port 80', ctx(pod))).toEqual({ kind: 'strict', text: 'ping webserver-2 --port 80' });
    expect(readMention('pod webserver-2 -n shop', ctx())).toEqual({ kind: 'strict', text: 'pod webserver-2 -n shop' });
  });

  it('replaces a pronoun argument with the subject', () => {
    expect(readMention('container it', ctx(container))).toMatchObject({ kind: 'command', tokens: ['container', 'webserver-1'], lenient: false });
    expect(readMention('ping it --port 80', ctx(pod))).toMatchObject({ kind: 'command', tokens: ['ping', 'webserver-2', '-n', 'shop', '--port', '80'] });
  });

  it('keeps a namespace typed explicitly', () => {
    expect(readMention('pod it -n payments', ctx(pod))).toMatchObject({ kind: 'command', tokens: ['pod', 'webserver-2', '-n', 'payments'] });
  });

  it('asks for a subject when a pronoun has nothing to refer to', () => {
    expect(readMention('ping it', ctx())).toMatchObject({ kind: 'needs-subject' });
    expect(readMention('ports?', ctx())).toMatchObject({ kind: 'needs-subject' });
    expect(readMention('container it', ctx())).toMatchObject({ kind: 'needs-subject' });
    expect(readMention('why?', ctx())).toMatchObject({ kind: 'needs-subject' });
  });

  it('hands anything else to the strict parser (which explains what is wrong)', () => {
    expect(readMention('please make coffee', ctx())).toEqual({ kind: 'strict', text: 'please make coffee' });
    expect(readMention("it's broken", ctx())).toEqual({ kind: 'strict', text: "it's broken" });
    expect(readMention('', ctx())).toEqual({ kind: 'strict', text: '' });
  });

  it('never takes "I" or "we" for a target', () => {
    expect(readMention("why can't I reach db-0", ctx())).toMatchObject({ tokens: ['ping', 'db-0'] });
  });
});

describe('lookupCommandFor', () => {
  it('follows an explicit kind word, then a namespace, then the thread, else container', () => {
    expect(lookupCommandFor('svc', undefined, false)).toBe('svc');
    expect(lookupCommandFor('service', pod, false)).toBe('svc');
    expect(lookupCommandFor(undefined, undefined, true)).toBe('pod');
    expect(lookupCommandFor(undefined, pod, false)).toBe('pod');
    expect(lookupCommandFor(undefined, container, false)).toBe('container');
    expect(lookupCommandFor(undefined, undefined, false)).toBe('container');
  });
});
