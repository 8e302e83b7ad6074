import { describe, expect, it } from 'vitest';
import { StaticAgentDirectory, normaliseAgentUrl, parseAgentMap } from '../../../src/probe/agent-directory.js';

describe('StaticAgentDirectory', () => {
  it('maps node names to agent URLs', () => {
    const dir = StaticAgentDirectory.fromSpec('node-a=http://10.0.0.11:7070/ node-b=https://agent-b.example:7443');
    expect(dir.agentFor('node-a')).toEqual({ url: 'http://10.0.0.11:7070' });
    expect(dir.agentFor('node-b')).toEqual({ url: 'https://agent-b.example:7443' });
    expect(dir.agentFor('node-c')).toBeUndefined();
    expect(dir.nodes()).toEqual(['node-a', 'node-b']);
    expect(new StaticAgentDirectory({}).agentFor('x')).toBeUndefined();
  });

  it.each([
    ['node-a', /node=url/],
    ['=http://x', /node=url/],
    ['node a=http://x', /node=url/],
    ['node-a=http://x,node-a=http://y', /twice/],
    ['node-a=ftp://x', /http/],
    ['node-a=http://user:pw@x', /credentials/],
    ['node-a=not a url', /node=url|not a URL/],
  ])('rejects %j', (spec, why) => {
    expect(() => parseAgentMap(spec)).toThrow(why);
  });

  it('accepts an empty map', () => {
    expect(parseAgentMap('  ')).toEqual(new Map());
    expect(normaliseAgentUrl('http://[fd00::1]:7070/')).toBe('http://[fd00::1]:7070');
  });
});
