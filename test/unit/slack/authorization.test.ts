import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../commands/index.js';
import type { CommandSpec } from '../../../src/core/command.js';
import { parseQuery } from '../../../src/core/query.js';
import { CommandRegistry } from '../../../src/core/registry.js';
import { type AccessRequest, decideAccess, isProbe } from '../../../src/slack/authorization.js';
import { type AccessPolicy, loadSlackConfig } from '../../../src/slack/slack-config.js';

const open = (): AccessPolicy => loadSlackConfig({}).access;
const policy = (env: Record<string, string>): AccessPolicy => loadSlackConfig(env).access;

const registry = new CommandRegistry(COMMANDS);
const command = (name: string): CommandSpec => registry.find(name)!;

function req(text: string, over: Partial<AccessRequest> = {}): AccessRequest {
  const query = parseQuery(text);
  return { user: 'U0ALICE001', channel: 'C0OPS00001', isDm: false, command: registry.resolve(query), query, ...over };
}

describe('isProbe', () => {
  it('is true for ping/reach and for --probe', () => {
    expect(isProbe(command('ping'), parseQuery('ping x'))).toBe(true);
    expect(isProbe(command('reach'), parseQuery('reach a b'))).toBe(true);
    expect(isProbe(command('container'), parseQuery('container x --probe'))).toBe(true);
    expect(isProbe(command('container'), parseQuery('container x'))).toBe(false);
  });
});

describe('decideAccess', () => {
  it('allows everything when nothing is configured', () => {
    expect(decideAccess(open(), req('ping webserver-2 -n kube-system'))).toMatchObject({ allowed: true, probe: true });
    expect(decideAccess(open(), req('container x', { isDm: true, channel: 'D0ALICE001' })).allowed).toBe(true);
  });

  it('refuses a channel not on the list, naming the allowed ones', () => {
    const d = decideAccess(policy({ NETPEEK_SLACK_ALLOWED_CHANNELS: 'C0A0000001,C0B0000001' }), req('container x'));
    expect(d).toEqual({ allowed: false, reason: 'channel', message: 'netpeek is not enabled in this channel (C0OPS00001).', details: ['Ask in one of: C0A0000001, C0B0000001'] });
  });

  it('does not apply the channel list to DMs, but can turn DMs off', () => {
    const p = policy({ NETPEEK_SLACK_ALLOWED_CHANNELS: 'C0A0000001' });
    expect(decideAccess(p, req('container x', { isDm: true, channel: 'D0ALICE001' })).allowed).toBe(true);
    const off = policy({ NETPEEK_SLACK_ALLOW_DMS: 'false' });
    expect(decideAccess(off, req('container x', { isDm: true, channel: 'D0ALICE001' }))).toMatchObject({ allowed: false, reason: 'dm' });
  });

  it('refuses users not on the list', () => {
    const d = decideAccess(policy({ NETPEEK_SLACK_ALLOWED_USERS: 'U0BOB00001' }), req('container x'));
    expect(d).toMatchObject({ allowed: false, reason: 'user' });
  });

  it('limits probes by channel and by user separately from lookups', () => {
    const p = policy({ NETPEEK_SLACK_PROBE_CHANNELS: 'C0PROBE001', NETPEEK_SLACK_PROBE_USERS: 'U0ALICE001' });
    expect(decideAccess(p, req('container x')).allowed).toBe(true);
    expect(decideAccess(p, req('ping x'))).toMatchObject({ allowed: false, reason: 'probe_channel' });
    expect(decideAccess(p, req('container x --probe'))).toMatchObject({ allowed: false, reason: 'probe_channel' });
    expect(decideAccess(p, req('ping x', { channel: 'C0PROBE001' })).allowed).toBe(true);
    expect(decideAccess(p, req('ping x', { channel: 'C0PROBE001', user: 'U0BOB00001' }))).toMatchObject({ allowed: false, reason: 'probe_user' });
    expect(decideAccess(p, req('ping x', { isDm: true, channel: 'D0ALICE001' }))).toMatchObject({ allowed: false, reason: 'probe_channel' });
  });

  it('scopes namespaces per channel: refuses others, fills the default, passes the scope down', () => {
    const p = policy({ NETPEEK_SLACK_CHANNEL_SCOPES: 'C0OPS00001=shop,payments;C0ALL00001=*', NETPEEK_SLACK_CHANNEL_NAMESPACES: 'C0OPS00001=shop' });
    expect(decideAccess(p, req('pod web -n kube-system'))).toMatchObject({
      allowed: false,
      reason: 'namespace',
      message: 'Namespace "kube-system" is not allowed in this conversation; it may see: shop, payments.',
    });
    const d = decideAccess(p, req('pod web'));
    expect(d).toMatchObject({ allowed: true, namespaces: ['shop', 'payments'] });
    if (d.allowed) expect(d.query.flags.namespace).toBe('shop');
    const all = decideAccess(p, req('pod web -n kube-system', { channel: 'C0ALL00001' }));
    expect(all.allowed && all.namespaces).toBe(undefined);
    // Commands without -n (Docker) are not namespace-scoped.
    expect(decideAccess(p, req('container web')).allowed).toBe(true);
  });

  it('requires -n when a channel sees several namespaces and has no default', () => {
    const p = policy({ NETPEEK_SLACK_CHANNEL_SCOPES: 'C0OPS00001=shop,payments' });
    expect(decideAccess(p, req('pod web'))).toMatchObject({ allowed: false, reason: 'namespace', details: ['Example: pod web -n shop'] });
    const one = policy({ NETPEEK_SLACK_CHANNEL_SCOPES: 'C0OPS00001=shop' });
    const d = decideAccess(one, req('pod web'));
    expect(d.allowed && d.query.flags.namespace).toBe('shop');
  });

  it('-A in a channel that sees several namespaces needs no -n and passes the whole scope down; a -n with it is still checked', () => {
    const p = policy({ NETPEEK_SLACK_CHANNEL_SCOPES: 'C0OPS00001=shop,payments', NETPEEK_SLACK_CHANNEL_NAMESPACES: 'C0OPS00001=shop' });
    const d = decideAccess(p, req('pod -A'));
    expect(d).toMatchObject({ allowed: true, namespaces: ['shop', 'payments'] });
    expect(d.allowed && d.query.flags.namespace).toBe(undefined);
    expect(decideAccess(p, req('pod -A -n kube-system'))).toMatchObject({ allowed: false, reason: 'namespace', details: ['Example: pod -A'] });
  });

  it('targets that name their namespace (ping shop/web-1, reach a/x b/y, --from) need no -n and are checked against the scope', () => {
    const p = policy({ NETPEEK_SLACK_CHANNEL_SCOPES: 'C0OPS00001=shop,payments', NETPEEK_SLACK_CHANNEL_NAMESPACES: 'C0OPS00001=shop' });
    for (const text of ['ping payments/web-1', 'ping pod/payments/web-1 --port 80', 'reach shop/web-1 payments/db-0 --no-probe']) {
      const d = decideAccess(p, req(text));
      expect(d, text).toMatchObject({ allowed: true, namespaces: ['shop', 'payments'] });
      expect(d.allowed && d.query.flags.namespace, text).toBe(undefined);
    }
    for (const text of ['ping kube-system/coredns-1', 'ping pod/kube-system/coredns-1', 'reach shop/web-1 kube-system/coredns-1 --no-probe', 'ping shop/web-1 --from kube-system/coredns-1']) {
      expect(decideAccess(p, req(text)), text).toMatchObject({ allowed: false, reason: 'namespace', message: 'Namespace "kube-system" is not allowed in this conversation; it may see: shop, payments.' });
    }
    // A bare name still gets the channel default; one end without a namespace too.
    expect(decideAccess(p, req('ping web-1'))).toMatchObject({ allowed: true, query: { flags: { namespace: 'shop' } } });
    expect(decideAccess(p, req('reach web-1 payments/db-0 --no-probe'))).toMatchObject({ allowed: true, query: { flags: { namespace: 'shop' } } });
  });

  it('applies the * scope to channels not listed and to DMs', () => {
    const p = policy({ NETPEEK_SLACK_CHANNEL_SCOPES: '*=default' });
    expect(decideAccess(p, req('pod web -n shop', { isDm: true, channel: 'D0ALICE001' }))).toMatchObject({ allowed: false, reason: 'namespace' });
  });

  it('fills the channel default cluster unless --cluster is given', () => {
    const p = policy({ NETPEEK_SLACK_CHANNEL_CLUSTERS: 'C0OPS00001=prod-eu;*=staging' });
    const d = decideAccess(p, req('pod web'));
    expect(d.allowed && d.query.flags.cluster).toBe('prod-eu');
    const other = decideAccess(p, req('pod web', { channel: 'C0ELSE0001' }));
    expect(other.allowed && other.query.flags.cluster).toBe('staging');
    const typed = decideAccess(p, req('pod web --cluster dev'));
    expect(typed.allowed && typed.query.flags.cluster).toBe('dev');
  });
});
