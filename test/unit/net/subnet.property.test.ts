import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/core/errors.js';
import { cidrContains, cidrsOverlap, firstAddress, normalizeIp, parseCidr, subnetOf } from '../../../src/net/subnet.js';

/**
 * Property tests of the CIDR math against an independent computation on integers (BigInt for IPv6);
 * the number of generated cases is in each name.
 */

const RUNS = 3000;

const V4 = { bits: 32n, max: (1n << 32n) - 1n };
const V6 = { bits: 128n, max: (1n << 128n) - 1n };

const v4Text = (n: bigint): string => [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 255n)).join('.');
/** Uncompressed IPv6 text; the module must compress it itself. */
const v6Text = (n: bigint): string => Array.from({ length: 8 }, (_, i) => ((n >> BigInt(112 - 16 * i)) & 0xffffn).toString(16)).join(':');

const mask = (bits: bigint, prefix: number): bigint => (prefix === 0 ? 0n : (((1n << bits) - 1n) >> (bits - BigInt(prefix))) << (bits - BigInt(prefix)));

const v4 = fc.bigInt({ min: 0n, max: V4.max });
const v6 = fc.bigInt({ min: 0n, max: V6.max });
const v4Prefix = fc.integer({ min: 0, max: 32 });
const v6Prefix = fc.integer({ min: 0, max: 128 });

describe(`CIDR math (properties, ${RUNS} generated cases each)`, () => {
  it(`IPv4: network, subnet, netmask and broadcast of ip/prefix match integer math (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(v4, v4Prefix, (ip, prefix) => {
        const m = mask(V4.bits, prefix);
        const network = ip & m;
        const facts = subnetOf(v4Text(ip), prefix);
        expect(facts).toEqual({
          family: 'ipv4',
          ip: v4Text(ip),
          prefixLength: prefix,
          network: v4Text(network),
          subnet: `${v4Text(network)}/${prefix}`,
          netmask: v4Text(m),
          ...(prefix <= 30 ? { broadcast: v4Text(network | (V4.max ^ m)) } : {}),
        });
      }),
      { numRuns: RUNS },
    );
  });

  it(`IPv6: the network of ip/prefix matches BigInt math, in RFC 5952 form; no broadcast (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(v6, v6Prefix, (ip, prefix) => {
        const network = ip & mask(V6.bits, prefix);
        const facts = subnetOf(v6Text(ip), prefix);
        expect(facts.network).toBe(normalizeIp(v6Text(network)));
        expect(facts.subnet).toBe(`${normalizeIp(v6Text(network))}/${prefix}`);
        expect(facts.broadcast).toBeUndefined();
        expect(facts.network).not.toMatch(/(^|:)0+[0-9a-f]/); // compressed: no leading zeros
      }),
      { numRuns: RUNS },
    );
  });

  it(`containment and overlap agree with integer math, for both families (${RUNS} cases)`, () => {
    const family = fc.constantFrom('ipv4' as const, 'ipv6' as const);
    fc.assert(
      fc.property(
        family.chain((f) => {
          const addr = f === 'ipv4' ? v4 : v6;
          const prefix = f === 'ipv4' ? v4Prefix : v6Prefix;
          return fc.tuple(fc.constant(f), addr, prefix, addr, prefix, addr);
        }),
        ([f, a, pa, b, pb, x]) => {
          const { bits } = f === 'ipv4' ? V4 : V6;
          const text = f === 'ipv4' ? v4Text : v6Text;
          // Half the time, put x inside a/pa by copying a's network bits.
          const inside = (x & ~mask(bits, pa) & ((1n << bits) - 1n)) | (a & mask(bits, pa));
          for (const y of [x, inside]) expect(cidrContains(`${text(a)}/${pa}`, text(y))).toBe((y & mask(bits, pa)) === (a & mask(bits, pa)));
          const shorter = Math.min(pa, pb);
          expect(cidrsOverlap(`${text(a)}/${pa}`, `${text(b)}/${pb}`)).toBe((a & mask(bits, shorter)) === (b & mask(bits, shorter)));
          expect(cidrsOverlap(`${text(a)}/${pa}`, `${text(b)}/${pb}`)).toBe(cidrsOverlap(`${text(b)}/${pb}`, `${text(a)}/${pa}`));
          const parsed = parseCidr(`${text(a)}/${pa}`);
          expect(parsed.network).toBe(normalizeIp(text(a & mask(bits, pa))));
          const first = firstAddress(`${text(a)}/${pa}`);
          expect(first).toBe(pa >= Number(bits) - 1 ? undefined : normalizeIp(text((a & mask(bits, pa)) + 1n)));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it(`an IPv4 address is never inside an IPv6 subnet and the other way round (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(v4, v6, v4Prefix, v6Prefix, (a, b, pa, pb) => {
        expect(cidrContains(`${v6Text(b)}/${pb}`, v4Text(a))).toBe(false);
        expect(cidrContains(`${v4Text(a)}/${pa}`, v6Text(b))).toBe(false);
        expect(cidrsOverlap(`${v4Text(a)}/${pa}`, `${v6Text(b)}/${pb}`)).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });

  it(`any text given as a subnet is parsed or refused with a UserError naming the accepted form (${RUNS} cases)`, () => {
    const junk = fc.oneof(fc.string({ unit: 'binary', maxLength: 30 }), fc.stringMatching(/^[0-9a-f.:\/ -]{0,30}$/), fc.tuple(v4, fc.integer({ min: -3, max: 140 })).map(([a, p]) => `${v4Text(a)}/${p}`));
    fc.assert(
      fc.property(junk, (text) => {
        try {
          const c = parseCidr(text);
          expect(c.prefixLength).toBeLessThanOrEqual(c.family === 'ipv4' ? 32 : 128);
        } catch (err) {
          expect(err).toBeInstanceOf(UserError);
          expect((err as UserError).message).toMatch(/CIDR form|prefix length/);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
