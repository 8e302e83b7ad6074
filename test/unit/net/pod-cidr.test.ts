import { describe, expect, it } from 'vitest';
import { coveringCidr, inferServiceCidrs, placePodIps, podDockerOverlaps } from '../../../src/net/pod-cidr.js';

describe('placePodIps', () => {
  it('places a pod IP inside its node pod CIDR', () => {
    expect(placePodIps(['10.244.1.5'], ['10.244.1.0/24'])).toEqual([{ ip: '10.244.1.5', family: 'ipv4', nodeCidr: '10.244.1.0/24', inside: true }]);
  });

  it('says when the IP is outside (CNI with its own IPAM)', () => {
    expect(placePodIps(['192.168.33.7'], ['10.244.1.0/24'])).toEqual([{ ip: '192.168.33.7', family: 'ipv4', nodeCidr: '10.244.1.0/24', inside: false }]);
  });

  it('matches each family of a dual-stack pod against the CIDR of the same family', () => {
    expect(placePodIps(['10.244.1.5', 'fd00:10:244:1::5'], ['10.244.1.0/24', 'fd00:10:244:1::/64'])).toEqual([
      { ip: '10.244.1.5', family: 'ipv4', nodeCidr: '10.244.1.0/24', inside: true },
      { ip: 'fd00:10:244:1::5', family: 'ipv6', nodeCidr: 'fd00:10:244:1::/64', inside: true },
    ]);
  });

  it('leaves the placement open when the node has no CIDR of that family', () => {
    expect(placePodIps(['fd00::5'], ['10.244.1.0/24'])).toEqual([{ ip: 'fd00::5', family: 'ipv6' }]);
    expect(placePodIps(['10.1.0.30'], [])).toEqual([{ ip: '10.1.0.30', family: 'ipv4' }]);
  });

  it('ignores malformed input instead of failing the answer', () => {
    expect(placePodIps(['not-an-ip', '10.1.0.30'], ['garbage', '10.1.0.0/16'])).toEqual([{ ip: '10.1.0.30', family: 'ipv4', nodeCidr: '10.1.0.0/16', inside: true }]);
  });
});

describe('coveringCidr', () => {
  it('is the smallest range holding every subnet and address', () => {
    expect(coveringCidr(['10.244.0.0/24', '10.244.1.0/24'])).toBe('10.244.0.0/23');
    expect(coveringCidr(['10.244.0.0/24', '10.244.3.0/24'])).toBe('10.244.0.0/22');
    expect(coveringCidr(['10.96.0.1', '10.96.0.10'])).toBe('10.96.0.0/28');
    expect(coveringCidr(['10.1.0.30'])).toBe('10.1.0.30/32');
    expect(coveringCidr(['fd00:10:96::1', 'fd00:10:96::a'])).toBe('fd00:10:96::/124');
  });

  it('gives up on mixed families and empty lists', () => {
    expect(coveringCidr([])).toBeUndefined();
    expect(coveringCidr(['10.0.0.1', 'fd00::1'])).toBeUndefined();
  });
});

describe('inferServiceCidrs', () => {
  it("names kubeadm's default when every ClusterIP is in 10.96.0.0/12", () => {
    expect(inferServiceCidrs(['10.96.0.1', '10.96.0.10', '10.100.3.4', 'None'])).toEqual([
      { cidr: '10.96.0.0/12', basis: 'default', who: 'kubeadm, kind, minikube and Docker Desktop', from: 3, family: 'ipv4' },
    ]);
  });

  it('recognises k3s', () => {
    expect(inferServiceCidrs(['10.43.0.1', '10.43.12.9'])[0]).toMatchObject({ cidr: '10.43.0.0/16', basis: 'default', who: 'k3s and RKE2' });
  });

  it('falls back to the covering range per family', () => {
    expect(inferServiceCidrs(['172.30.0.1', '172.30.5.20', 'fd00:30::1', 'fd00:30::99'])).toEqual([
      { cidr: '172.30.0.0/21', basis: 'covering', from: 2, family: 'ipv4' },
      { cidr: 'fd00:30::/120', basis: 'covering', from: 2, family: 'ipv6' },
    ]);
  });

  it('infers nothing from no addresses', () => {
    expect(inferServiceCidrs(['None', ''])).toEqual([]);
  });
});

describe('podDockerOverlaps', () => {
  it("finds a pod CIDR that collides with a Docker network, and none for Docker Desktop's defaults", () => {
    const docker = [
      { network: 'bridge', subnet: '172.17.0.0/16' },
      { network: 'lab', subnet: '10.244.0.0/16' },
    ];
    expect(podDockerOverlaps(['10.244.1.0/24', '10.1.0.0/16'], docker)).toEqual([{ podCidr: '10.244.1.0/24', dockerSubnet: '10.244.0.0/16', dockerNetwork: 'lab' }]);
    expect(podDockerOverlaps(['10.1.0.0/16'], [{ network: 'bridge', subnet: '172.17.0.0/16' }, { network: 'odd', subnet: 'nonsense' }])).toEqual([]);
  });
});
