import { describe, expect, it } from 'vitest';
import { newAnswer } from '../../../src/core/answer.js';
import { answerMetadata, readThreadMessages, subjectOf } from '../../../src/slack/thread-subject.js';

describe('thread subject', () => {
  it('takes the subject from answers about named things only', () => {
    expect(subjectOf(newAnswer('pod', 'pod x', { subject: { kind: 'pod', name: 'x', namespace: 'shop', id: 'uid' } }))).toEqual({ kind: 'pod', name: 'x', namespace: 'shop' });
    expect(subjectOf(newAnswer('help', 'help', { subject: { kind: 'help', name: 'commands' } }))).toBeUndefined();
    expect(subjectOf(newAnswer('status', 'status'))).toBeUndefined();
    expect(subjectOf(newAnswer('network', 'networks', { subject: { kind: 'network', name: 'all networks' } }))).toBeUndefined();
    expect(subjectOf(newAnswer('network', 'network bridge', { subject: { kind: 'network', name: 'bridge' } }))).toEqual({ kind: 'network', name: 'bridge' });
  });

  it('writes metadata with string values only', () => {
    expect(answerMetadata({ kind: 'container', name: 'web' }, 'Ev1')).toEqual({
      event_type: 'netpeek_answer',
      event_payload: { subject_kind: 'container', subject_name: 'web', event_id: 'Ev1' },
    });
    expect(answerMetadata(undefined)).toEqual({ event_type: 'netpeek_answer', event_payload: {} });
  });

  it('reads the latest subject from a thread, ignoring other apps and answers without a subject', () => {
    const r = readThreadMessages([
      { metadata: undefined },
      { metadata: answerMetadata({ kind: 'pod', name: 'a', namespace: 'shop' }, 'Ev1') },
      { metadata: { event_type: 'other_app', event_payload: { subject_kind: 'pod', subject_name: 'evil' } } },
      { metadata: answerMetadata({ kind: 'container', name: 'b' }, 'Ev2') },
      { metadata: answerMetadata(undefined, 'Ev3') },
      { metadata: { event_type: 'netpeek_answer', event_payload: { subject_kind: 'secret', subject_name: 'x' } } },
    ]);
    expect(r.subject).toEqual({ kind: 'container', name: 'b' });
    expect([...r.answeredEvents]).toEqual(['Ev1', 'Ev2', 'Ev3']);
  });
});
