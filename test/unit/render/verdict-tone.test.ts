import { describe, expect, it } from 'vitest';
import { newAnswer, type ProbeFact } from '../../../src/core/answer.js';
import { verdictTone } from '../../../src/render/verdict-tone.js';

const probe = (ok: boolean): ProbeFact => ({ kind: 'tcp', target: '172.18.0.2', port: 80, ok, from: 'this host' });

describe('verdictTone', () => {
  it('probes: all answered good, none bad, some mixed', () => {
    expect(verdictTone(newAnswer('ping', 'x', { probes: [probe(true), probe(true)] }))).toBe('good');
    expect(verdictTone(newAnswer('ping', 'x', { probes: [probe(false)] }))).toBe('bad');
    expect(verdictTone(newAnswer('ping', 'x', { probes: [probe(true), probe(false)] }))).toBe('mixed');
    expect(verdictTone(newAnswer('ping', 'x', { probes: [probe(true)], warnings: ['agent degraded'] }))).toBe('mixed');
  });

  it('a port verdict of the policies, and a diagnosis', () => {
    const port = (verdict: 'allowed' | 'denied') => newAnswer('reach', 'x', { policy: { evaluated: true, port: { protocol: 'TCP', port: 80, verdict, because: '' } } });
    expect(verdictTone(port('allowed'))).toBe('good');
    expect(verdictTone(port('denied'))).toBe('bad');
    expect(verdictTone(newAnswer('why', 'x', { diagnosis: { firstFailure: null, steps: [] } }))).toBe('good');
    expect(verdictTone(newAnswer('why', 'x', { diagnosis: { firstFailure: 'service', steps: [] } }))).toBe('bad');
  });

  it('no verdict: no colour, unless there are warnings', () => {
    expect(verdictTone(newAnswer('help', 'x'))).toBeUndefined();
    expect(verdictTone(newAnswer('pod', 'x', { warnings: ['not ready'] }))).toBe('mixed');
  });
});
