import { describe, expect, it } from 'vitest';
import { CommandRegistry } from '../../../src/core/registry.js';
import { deriveButtonKey } from '../../../src/slack/button-token.js';
import { answerButtons, buttonActions, focusAnswer } from '../../../src/slack/buttons.js';
import { answerMessage } from '../../../src/slack/messages.js';
import { hugeAnswer, webserverAnswer } from '../../support/answers.js';
import { expectValidMessage } from '../../support/slack/block-kit.js';
import { fakeCommands } from '../../support/slack/fake-commands.js';

const registry = new CommandRegistry(fakeCommands().commands);
const key = deriveButtonKey('k');

describe('answer messages', () => {
  it('adds the buttons row to an answer about a container', () => {
    const buttons = answerButtons(webserverAnswer(), { channel: 'C1AAAAA', key, ttlSeconds: 900, registry });
    const msg = answerMessage(webserverAnswer(), { buttons, note: 'Read as `container webserver-1`' });
    expect(msg.blocks.at(-1)).toMatchObject({ type: 'actions', elements: [{ action_id: 'netpeek_probe' }, { action_id: 'netpeek_ports' }, { action_id: 'netpeek_explain' }] });
    expect(msg.blocks[1]).toMatchObject({ type: 'context' });
    expectValidMessage(msg);
  });

  it('stays within 50 blocks with buttons and a note on a huge answer', () => {
    const huge = hugeAnswer();
    huge.subject = { kind: 'pod', name: 'big', namespace: 'shop' };
    const buttons = answerButtons(huge, { channel: 'C1AAAAA', key, ttlSeconds: 900, registry });
    const msg = answerMessage(huge, { buttons, note: 'Read as `pod big`' });
    expect(msg.blocks).toHaveLength(50);
    expect(msg.blocks.at(-1)?.type).toBe('actions');
    expectValidMessage(msg);
  });

  it('offers no buttons for help or for kinds without a lookup command', () => {
    const helpAnswer = { ...webserverAnswer(), subject: { kind: 'help' as const, name: 'commands' } };
    expect(answerButtons(helpAnswer, { channel: 'C1AAAAA', key, ttlSeconds: 900, registry })).toBeUndefined();
    expect(buttonActions({ ...webserverAnswer(), subject: { kind: 'node', name: 'n1' } }, registry)).toEqual([]);
    expect(buttonActions({ ...webserverAnswer(), subject: { kind: 'network', name: 'bridge' } }, registry)).toEqual([]);
  });

  it('focuses on ports or on the why', () => {
    const ports = focusAnswer(webserverAnswer(), 'ports');
    expect(ports.ports).toHaveLength(2);
    expect(ports.addresses).toEqual([]);
    expect(ports.explanations).toEqual([]);
    const why = focusAnswer(webserverAnswer(), 'explain');
    expect(why.ports).toEqual([]);
    expect(why.explanations[0]).toMatch(/bridge network/);
    expect(why.sharing?.mode).toBe('own');
  });
});
