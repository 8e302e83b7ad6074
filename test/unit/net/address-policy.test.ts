import { describe, expect, it } from 'vitest';
import { AllowList, parseAddress, parseCidr, parsePortRanges } from '../../../src/net/address-policy.js';

const METADATA_SPELLINGS = [
  '169.254.169.254',
  '::ffff:169.254.169.254',
  '::FFFF:169.254.169.254',
  '::ffff:a9fe:a9fe',
  '0:0:0:0:0:ffff:a9fe:a9fe',
  '[::ffff:a9fe:a9fe]',
  '0xa9fea9fe',
  '0xA9FEA9FE',
  '2852039166',
  '0251.0376.0251.0376',
  '0xa9.0xfe.0xa9.0xfe',
  '169.254.43518',
  '169.16689662',
  '0251.254.169.254',
  '169.254.169.0376',
  ' 169.254.169.254 ',
];

describe('parseAddress normalises every spelling', () => {
  it.each([
    ['10.0.0.1', '10.0.0.1'],
    ['::ffff:10.0.0.1', '10.0.0.1'],
    ['::ffff:a00:1', '10.0.0.1'],
    ['::ffff:0a00:0001', '10.0.0.1'],
    ['0:0:0:0:0:ffff:a00:1', '10.0.0.1'],
    ['[::ffff:10.0.0.1]', '10.0.0.1'],
    ['167772161', '10.0.0.1'],
    ['0xa000001', '10.0.0.1'],
    ['0x0A000001', '10.0.0.1'],
    ['0x0a.0.0.1', '10.0.0.1'],
    ['012.0.0.1', '10.0.0.1'],
    ['00012.0.0.01', '10.0.0.1'],
    ['10.1', '10.0.0.1'],
    ['10.0.1', '10.0.0.1'],
    ['10.000.000.001', '10.0.0.1'],
    ['010.0.0.1', '8.0.0.1'], // a leading 0 is octal, as inet_aton reads it
    ['127.1', '127.0.0.1'],
    ['0', '0.0.0.0'],
    ['fd00:0000:0000::0001', 'fd00::1'],
    ['FE80::1', 'fe80::1'],
  ])('%s → %s', (input, ip) => {
    expect(parseAddress(input)).toMatchObject({ ok: true, ip });
  });

  it.each(METADATA_SPELLINGS)('%s is the metadata address', (input) => {
    expect(parseAddress(input)).toMatchObject({ ok: true, ip: '169.254.169.254', family: 'ipv4' });
  });

  it.each([
    ['localhost', /hostname/],
    ['metadata.google.internal', /hostname/],
    ['example.com', /hostname/],
    ['1.2.3.4.5', /not a valid/],
    ['256.0.0.1', /not a valid/],
    ['4294967296', /not a valid/],
    ['08.0.0.1', /octal/],
    ['0x', /not a valid|hostname/],
    ['fe80::1%eth0', /zone/],
    ['10.0.0.0/24', /CIDR/],
    ['', /empty/],
    ['::ffff:zz', /IPv6/],
  ])('%s is refused', (input, why) => {
    const r = parseAddress(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(why);
  });
});

describe('AllowList decisions', () => {
  const lab = new AllowList(['10.213.7.0/24']);

  it('allows an address inside an allow CIDR and returns the canonical form', () => {
    expect(lab.check({ ip: '10.213.7.10' })).toEqual({ allowed: true, ip: '10.213.7.10', family: 'ipv4' });
    expect(lab.check({ ip: '::ffff:10.213.7.10' })).toEqual({ allowed: true, ip: '10.213.7.10', family: 'ipv4' });
    expect(lab.check({ ip: '0x0ad5070a' })).toMatchObject({ allowed: true, ip: '10.213.7.10' });
  });

  it('denies by default, naming the target and the allow-list', () => {
    expect(lab.check({ ip: '8.8.8.8' })).toEqual({ allowed: false, ip: '8.8.8.8', reason: 'target 8.8.8.8 is not in the allow-list (10.213.7.0/24)', rule: 'default deny' });
    expect(new AllowList([]).check({ ip: '10.213.7.10' })).toMatchObject({ allowed: false, rule: 'default deny', reason: expect.stringContaining('everything is denied') });
  });

  it('says the metadata address in the words operators expect', () => {
    expect(lab.check({ ip: '169.254.169.254' })).toEqual({
      allowed: false,
      ip: '169.254.169.254',
      reason: 'target 169.254.169.254 is link-local/metadata and not in the allow-list',
      rule: 'deny link-local/metadata 169.254.169.254/32',
    });
    expect(lab.check({ ip: '0xa9fea9fe' })).toMatchObject({ allowed: false, reason: 'target 0xa9fea9fe (= 169.254.169.254) is link-local/metadata and not in the allow-list' });
  });

  it.each(METADATA_SPELLINGS)('denies %s even when everything else is allowed', (ip) => {
    const all = new AllowList(['0.0.0.0/0', '::/0', '169.254.0.0/16']);
    expect(all.check({ ip })).toMatchObject({ allowed: false, ip: '169.254.169.254', rule: expect.stringContaining('metadata') });
  });

  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.1', 'loopback'],
    ['2130706433', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['169.254.1.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['64:ff9b::a9fe:a9fe', 'NAT64'],
    ['::169.254.169.254', 'IPv4-compatible'],
    ['::10.0.0.1', 'IPv4-compatible'],
    ['fd00:ec2::254', 'metadata'],
  ])('%s is %s and stays denied under 0.0.0.0/0 and ::/0', (ip, what) => {
    const all = new AllowList(['0.0.0.0/0', '::/0']);
    const r = all.check({ ip });
    expect(r.allowed).toBe(false);
    if (!r.allowed) expect(r.reason).toContain(what);
  });

  it('allows a special address only when an allow CIDR inside the special range names it', () => {
    const loop = new AllowList(['127.0.0.1/32', '169.254.0.0/16']);
    expect(loop.check({ ip: '127.1' })).toMatchObject({ allowed: true, ip: '127.0.0.1' });
    expect(loop.check({ ip: '127.0.0.2' })).toMatchObject({ allowed: false });
    expect(loop.check({ ip: '169.254.10.1' })).toMatchObject({ allowed: true });
    expect(loop.check({ ip: '169.254.169.254' })).toMatchObject({ allowed: false });
    expect(new AllowList(['169.254.169.254/32']).check({ ip: '2852039166' })).toMatchObject({ allowed: true, ip: '169.254.169.254' });
  });

  it('checks ports against the allowed ranges', () => {
    const web = new AllowList(['10.213.7.0/24'], '80,443,8000-9000');
    expect(web.check({ ip: '10.213.7.10', port: 8080 })).toMatchObject({ allowed: true });
    expect(web.check({ ip: '10.213.7.10', port: 443 })).toMatchObject({ allowed: true });
    expect(web.check({ ip: '10.213.7.10' })).toMatchObject({ allowed: true });
    expect(web.check({ ip: '10.213.7.10', port: 22 })).toEqual({
      allowed: false,
      ip: '10.213.7.10',
      reason: 'port 22 of target 10.213.7.10 is not in the allowed ports 80,443,8000-9000',
      rule: 'allow ports 80,443,8000-9000',
    });
    expect(web.check({ ip: '10.213.7.10', port: 0 })).toMatchObject({ allowed: false, rule: 'port range' });
  });

  it('refuses hostnames and nonsense before anything else', () => {
    expect(new AllowList(['0.0.0.0/0']).check({ ip: 'localhost' })).toMatchObject({ allowed: false, rule: 'not an IP address' });
  });

  it('keeps IPv6 and IPv4 apart', () => {
    const v6 = new AllowList(['fd00:10::/64']);
    expect(v6.check({ ip: 'fd00:10::5' })).toMatchObject({ allowed: true, family: 'ipv6' });
    expect(v6.check({ ip: '10.0.0.5' })).toMatchObject({ allowed: false, rule: 'default deny' });
  });
});

describe('parseCidr and parsePortRanges', () => {
  it('normalises CIDRs', () => {
    expect(parseCidr('10.0.0.5/24').text).toBe('10.0.0.0/24');
    expect(parseCidr('10.0.0.7').text).toBe('10.0.0.7/32');
    expect(parseCidr('::ffff:10.0.0.0/120').text).toBe('10.0.0.0/24');
    expect(parseCidr('fd00::1/64').text).toBe('fd00::/64');
    expect(parseCidr('012.0.0.0/8').text).toBe('10.0.0.0/8');
  });

  it.each(['10.0.0.0/33', '10.0.0.0/x', 'example.com/24', '10.0.0.0/8/8', '/8', 'fd00::/129'])('rejects %s', (c) => {
    expect(() => parseCidr(c)).toThrow();
  });

  it('parses port lists', () => {
    expect(parsePortRanges('1-65535')).toEqual([{ from: 1, to: 65535 }]);
    expect(parsePortRanges('80, 443,8000-9000')).toEqual([
      { from: 80, to: 80 },
      { from: 443, to: 443 },
      { from: 8000, to: 9000 },
    ]);
  });

  it.each(['', '0', '70000', '9000-8000', 'http', '80-'])('rejects ports %j', (p) => {
    expect(() => parsePortRanges(p)).toThrow();
  });
});
