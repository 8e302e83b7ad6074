import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/core/errors.js';
import { cidrContains, cidrsOverlap, firstAddress, ipFamily, isIpAddress, normalizeIp, parseCidr, rangeContains, subnetContaining, subnetOf, subnetOfCidr } from '../../../src/net/subnet.js';

describe('subnetOf (IPv4)', () => {
  it('gives the default bridge facts for 172.17.0.2/16', () => {
    expect(subnetOf('172.17.0.2', 16)).toEqual({
      family: 'ipv4',
      ip: '172.17.0.2',
      prefixLength: 16,
      network: '172.17.0.0',
      subnet: '172.17.0.0/16',
      broadcast: '172.17.255.255',
      netmask: '255.255.0.0',
    });
  });

  it.each([
    ['10.1.2.3', 24, '10.1.2.0/24', '10.1.2.255', '255.255.255.0'],
    ['192.168.7.130', 25, '192.168.7.128/25', '192.168.7.255', '255.255.255.128'],
    ['10.0.0.5', 30, '10.0.0.4/30', '10.0.0.7', '255.255.255.252'],
    ['10.0.0.1', 8, '10.0.0.0/8', '10.255.255.255', '255.0.0.0'],
    ['203.0.113.9', 0, '0.0.0.0/0', '255.255.255.255', '0.0.0.0'],
  ])('%s/%i → %s, broadcast %s', (ip, prefix, subnet, broadcast, netmask) => {
    const f = subnetOf(ip, prefix);
    expect(f.subnet).toBe(subnet);
    expect(f.broadcast).toBe(broadcast);
    expect(f.netmask).toBe(netmask);
  });

  it('has no broadcast on a /31 point-to-point link (RFC 3021) or a /32 host route', () => {
    expect(subnetOf('10.0.0.1', 31)).toMatchObject({ subnet: '10.0.0.0/31', netmask: '255.255.255.254' });
    expect(subnetOf('10.0.0.1', 31).broadcast).toBeUndefined();
    expect(subnetOf('10.9.8.7', 32)).toMatchObject({ subnet: '10.9.8.7/32', network: '10.9.8.7' });
    expect(subnetOf('10.9.8.7', 32).broadcast).toBeUndefined();
  });

  it('reads CIDR text the same way', () => {
    expect(subnetOfCidr('172.17.0.2/16')).toEqual(subnetOf('172.17.0.2', 16));
  });
});

describe('subnetOf (IPv6)', () => {
  it('clears host bits, prints RFC 5952 form and has no broadcast', () => {
    const f = subnetOf('FD00:0:0:1::0A', 64);
    expect(f).toEqual({ family: 'ipv6', ip: 'fd00:0:0:1::a', prefixLength: 64, network: 'fd00:0:0:1::', subnet: 'fd00:0:0:1::/64' });
  });

  it('handles /48, /127 and /128', () => {
    expect(subnetOf('2001:db8:abcd:12::1', 48).subnet).toBe('2001:db8:abcd::/48');
    expect(subnetOf('fd00::1', 127).subnet).toBe('fd00::/127');
    expect(subnetOf('fd00::1', 128).subnet).toBe('fd00::1/128');
  });
});

describe('input checks', () => {
  it('rejects what is not an address, naming the accepted forms', () => {
    for (const bad of ['172.17.0', '300.1.1.1', '010.1.1.1', 'webserver-1', '', 'fe80::1%eth0']) {
      expect(() => subnetOf(bad, 24), bad).toThrow(UserError);
    }
    expect(() => normalizeIp('1.2.3')).toThrow(/not an IP address.*172\.17\.0\.2.*fd00:1::2/);
  });

  it('rejects prefixes outside the family range with the range in the message', () => {
    expect(() => subnetOf('10.0.0.1', 33)).toThrow(/from 0 to 32/);
    expect(() => subnetOf('fd00::1', 129)).toThrow(/from 0 to 128/);
    expect(() => subnetOf('10.0.0.1', 1.5)).toThrow(UserError);
    expect(() => parseCidr('10.0.0.0')).toThrow(/CIDR form/);
    expect(() => parseCidr('10.0.0.0/x')).toThrow(UserError);
  });

  it('knows addresses and families', () => {
    expect(isIpAddress('172.17.0.2')).toBe(true);
    expect(isIpAddress('::1')).toBe(true);
    expect(isIpAddress('1')).toBe(false);
    expect(ipFamily('10.1.0.30')).toBe('ipv4');
    expect(ipFamily('fd00::2')).toBe('ipv6');
    expect(normalizeIp('FD00:0000::0002')).toBe('fd00::2');
  });
});

describe('containment and overlap', () => {
  it('normalises a CIDR to its network address', () => {
    expect(parseCidr('172.17.5.9/16')).toEqual({ family: 'ipv4', network: '172.17.0.0', prefixLength: 16, subnet: '172.17.0.0/16' });
  });

  it('tells whether a subnet contains an address', () => {
    expect(cidrContains('172.17.0.0/16', '172.17.255.254')).toBe(true);
    expect(cidrContains('172.17.0.0/16', '172.18.0.1')).toBe(false);
    expect(cidrContains('10.1.0.0/16', 'fd00::1')).toBe(false);
    expect(cidrContains('fd00:1::/64', 'fd00:1::abcd')).toBe(true);
  });

  it('tells whether subnets overlap, in either order', () => {
    expect(cidrsOverlap('10.0.0.0/8', '10.200.3.0/24')).toBe(true);
    expect(cidrsOverlap('10.200.3.0/24', '10.0.0.0/8')).toBe(true);
    expect(cidrsOverlap('10.200.3.0/24', '10.200.4.0/24')).toBe(false);
    expect(cidrsOverlap('10.0.0.0/8', 'fd00::/8')).toBe(false);
  });

  it('picks the IPAM subnet holding an address and skips malformed entries', () => {
    expect(subnetContaining('10.1.0.30', ['bogus', '172.17.0.0/16', '10.1.0.0/16'])).toBe('10.1.0.0/16');
    expect(subnetContaining('192.168.1.1', ['172.17.0.0/16'])).toBeUndefined();
  });

  it('a range read from a backend contains nothing when it (or the address) is malformed', () => {
    expect(rangeContains('10.244.1.0/24', '10.244.1.7')).toBe(true);
    expect(rangeContains('', '10.244.1.7')).toBe(false);
    expect(rangeContains('10.244.1.0/33', '10.244.1.7')).toBe(false);
    expect(rangeContains('10.244.1.0/24', 'not-an-ip')).toBe(false);
  });

  it('finds the first address after the network address', () => {
    expect(firstAddress('172.17.0.0/16')).toBe('172.17.0.1');
    expect(firstAddress('10.200.3.0/24')).toBe('10.200.3.1');
    expect(firstAddress('fd00:1::/64')).toBe('fd00:1::1');
    expect(firstAddress('10.0.0.0/31')).toBeUndefined();
    expect(firstAddress('10.0.0.0/32')).toBeUndefined();
  });
});
