import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AllowList, parseAddress } from '../../../src/net/address-policy.js';

/**
 * Property tests: every spelling of every address reads as the same address, and the allow-list decides
 * it the way an independent integer computation does. The number of generated cases is in each name.
 */

const RUNS = 3000;

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const bytesOf = (n: number): number[] => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const dotted = (n: number): string => bytesOf(n).join('.');

/** How inet_aton reads a part: 0x… hex, 0… octal, else decimal; with any number of leading zeros. */
const part = (value: number, style: 'dec' | 'oct' | 'hex' | 'HEX', zeros: number): string => {
  if (style === 'dec') return String(value);
  if (style === 'oct') return `0${'0'.repeat(zeros)}${value.toString(8)}`;
  const hex = `${'0'.repeat(zeros)}${value.toString(16)}`;
  return style === 'hex' ? `0x${hex}` : `0X${hex.toUpperCase()}`;
};
const style = fc.constantFrom('dec', 'oct', 'hex', 'HEX') as fc.Arbitrary<'dec' | 'oct' | 'hex' | 'HEX'>;
const zeros = fc.integer({ min: 0, max: 3 });

const hex16 = (n: number): string => n.toString(16);

/** Every IPv4 spelling netpeek accepts for the address n, each one a name and its text. */
function ipv4Spellings(n: number): fc.Arbitrary<[string, string]> {
  const [a, b, c, d] = bytesOf(n) as [number, number, number, number];
  return fc.oneof(
    fc.constant<[string, string]>(['dotted decimal', dotted(n)]),
    fc.tuple(style, style, style, style, zeros).map(([s1, s2, s3, s4, z]): [string, string] => [
      'four parts, each decimal/octal/hex',
      [part(a, s1, z), part(b, s2, z), part(c, s3, z), part(d, s4, z)].join('.'),
    ]),
    fc.tuple(style, zeros).map(([s, z]): [string, string] => ['one 32-bit number', part(n, s, z)]),
    fc.tuple(style, style, zeros).map(([s1, s2, z]): [string, string] => ['a.b (24-bit last part)', `${part(a, s1, z)}.${part(n & 0xffffff, s2, z)}`]),
    fc.tuple(style, style, style, zeros).map(([s1, s2, s3, z]): [string, string] => ['a.b.c (16-bit last part)', `${part(a, s1, z)}.${part(b, s2, z)}.${part(n & 0xffff, s3, z)}`]),
    fc.constantFrom<[string, string]>(
      ['IPv4-mapped IPv6, dotted', `::ffff:${dotted(n)}`],
      ['IPv4-mapped IPv6, hex', `::ffff:${hex16(n >>> 16)}:${hex16(n & 0xffff)}`],
      ['IPv4-mapped IPv6, upper case', `::FFFF:${hex16(n >>> 16).toUpperCase()}:${hex16(n & 0xffff).toUpperCase()}`],
      ['IPv4-mapped IPv6, uncompressed', `0:0:0:0:0:ffff:${hex16(n >>> 16)}:${hex16(n & 0xffff)}`],
      ['IPv4-mapped IPv6, leading zeros', `0000:0000:0000:0000:0000:ffff:${hex16(n >>> 16).padStart(4, '0')}:${hex16(n & 0xffff).padStart(4, '0')}`],
      ['IPv4-mapped IPv6 in brackets', `[::ffff:${dotted(n)}]`],
      ['surrounded by spaces', ` ${dotted(n)} `],
    ),
  );
}

/** Spellings that embed the IPv4 address n in IPv6 without mapping it: never the IPv4 address itself. */
function embeddingSpellings(n: number): fc.Arbitrary<[string, string]> {
  return fc.constantFrom<[string, string]>(
    ['IPv4-compatible, dotted', `::${dotted(n)}`],
    ['IPv4-compatible, uncompressed dotted', `0:0:0:0:0:0:${dotted(n)}`],
    ['IPv4-compatible, hex', `::${hex16(n >>> 16)}:${hex16(n & 0xffff)}`],
    ['IPv4-translated', `::ffff:0:${dotted(n)}`],
    ['NAT64', `64:ff9b::${dotted(n)}`],
  );
}

const ipv4Cidr = fc.tuple(u32, fc.integer({ min: 0, max: 32 })).map(([n, p]) => ({ net: p === 0 ? 0 : (n & (~0 << (32 - p))) >>> 0, prefix: p }));
const inCidr = (ip: number, c: { net: number; prefix: number }): boolean => c.prefix === 0 || (ip & (~0 << (32 - c.prefix))) >>> 0 === c.net;
const cidrText = (c: { net: number; prefix: number }): string => `${dotted(c.net)}/${c.prefix}`;

/** The special IPv4 ranges as the design names them, computed here independently of the module. */
const SPECIAL = ['169.254.0.0/16', '100.100.100.200/32', '127.0.0.0/8', '0.0.0.0/8', '224.0.0.0/4', '240.0.0.0/4', '255.255.255.255/32'].map((t) => {
  const [ip = '', p = ''] = t.split('/');
  const n = ip.split('.').reduce((acc, x) => acc * 256 + Number(x), 0);
  return { net: n, prefix: Number(p) };
});

/** Allowed: covered by an allow CIDR, and outside every special range unless an allow CIDR inside that range covers it. */
function expectedAllowed(ip: number, allow: Array<{ net: number; prefix: number }>): boolean {
  const covering = allow.filter((c) => inCidr(ip, c));
  if (covering.length === 0) return false;
  const special = SPECIAL.filter((s) => inCidr(ip, s));
  return special.every((s) => covering.some((c) => c.prefix >= s.prefix && inCidr(c.net, s)));
}

// Addresses drawn near the allow-list's and special ranges' edges as often as at random.
const addressNear = (cidrs: Array<{ net: number; prefix: number }>): fc.Arbitrary<number> =>
  fc.oneof(
    u32,
    fc.constantFrom(...[...cidrs, ...SPECIAL]).chain((c) => fc.integer({ min: -2, max: 2 }).map((d) => (c.net + d) >>> 0)),
    fc.constantFrom(...[...cidrs, ...SPECIAL]).chain((c) => fc.integer({ min: 0, max: 2 ** (32 - c.prefix) - 1 }).map((d) => (c.net + d) >>> 0)),
  );

describe(`address spellings and the allow-list (properties, ${RUNS} generated cases each)`, () => {
  it(`every IPv4 spelling (decimal, octal, hex, short forms, IPv4-mapped IPv6) reads as the dotted address (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(u32.chain((n) => fc.tuple(fc.constant(n), ipv4Spellings(n))), ([n, [, text]]) => {
        expect(parseAddress(text)).toEqual({ ok: true, ip: dotted(n), family: 'ipv4', input: text });
      }),
      { numRuns: RUNS },
    );
  });

  it(`the allow-list gives every spelling of an address the verdict an integer computation gives (${RUNS} cases)`, () => {
    const arb = fc.array(ipv4Cidr, { minLength: 1, maxLength: 4 }).chain((allow) =>
      fc.tuple(fc.constant(allow), addressNear(allow).chain((n) => fc.tuple(fc.constant(n), ipv4Spellings(n)))),
    );
    fc.assert(
      fc.property(arb, ([allow, [n, [name, text]]]) => {
        const verdict = new AllowList(allow.map(cidrText)).check({ ip: text });
        expect({ spelling: name, allowed: verdict.allowed, ip: verdict.ip }).toEqual({ spelling: name, allowed: expectedAllowed(n, allow), ip: dotted(n) });
      }),
      { numRuns: RUNS },
    );
  });

  it(`an IPv4 address embedded in IPv6 without mapping (compatible, translated, NAT64) is denied even when its IPv4 form is allowed (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(u32.chain((n) => fc.tuple(fc.constant(n), embeddingSpellings(n))), ([n, [name, text]]) => {
        const verdict = new AllowList(['0.0.0.0/0', `${dotted(n)}/32`]).check({ ip: text });
        expect({ spelling: name, allowed: verdict.allowed }).toEqual({ spelling: name, allowed: false });
        // ::0.0.0.0 and ::0.0.0.1 are :: and ::1, denied under their own names.
        expect(verdict.allowed ? '' : verdict.reason).toMatch(n <= 1 && name.startsWith('IPv4-compatible') ? /unspecified|loopback/ : /embeds an IPv4 address/);
      }),
      { numRuns: RUNS },
    );
  });

  it(`an address with a zone id (%eth0) is refused, however it is spelled (${RUNS} cases)`, () => {
    const zone = fc.stringMatching(/^[a-z0-9.]{1,12}$/);
    fc.assert(
      fc.property(u32.chain((n) => fc.tuple(ipv4Spellings(n), zone)), ([[, text], z]) => {
        const withZone = `${text.trim().replace(/^\[|\]$/g, '')}%${z}`;
        const verdict = new AllowList(['0.0.0.0/0']).check({ ip: withZone });
        expect(verdict).toMatchObject({ allowed: false, rule: 'not an IP address' });
      }),
      { numRuns: RUNS },
    );
  });

  it(`every IPv6 spelling (compressed, uncompressed, leading zeros, upper case, brackets) reads as the RFC 5952 form (${RUNS} cases)`, () => {
    const groups = fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 });
    fc.assert(
      fc.property(groups, fc.constantFrom('full', 'padded', 'upper', 'bracketed'), (g, form) => {
        // Keep clear of ::/96 and ::ffff:0:0/96, whose IPv4 readings the other properties cover.
        if (g.slice(0, 5).every((x) => x === 0)) g[0] = 0x2001;
        const canonical = parseAddress(g.map(hex16).join(':'));
        const text =
          form === 'full' ? g.map(hex16).join(':') : form === 'padded' ? g.map((x) => hex16(x).padStart(4, '0')).join(':') : form === 'upper' ? g.map(hex16).join(':').toUpperCase() : `[${g.map(hex16).join(':')}]`;
        expect(canonical).toMatchObject({ ok: true, family: 'ipv6' });
        expect(parseAddress(text)).toMatchObject({ ok: true, family: 'ipv6', ip: canonical.ok ? canonical.ip : '' });
      }),
      { numRuns: RUNS },
    );
  });

  it(`any string at all is an address or a refusal with a reason, never an exception (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.stringMatching(/^[0-9a-fxA-FX.:%\[\] ]{0,40}$/)), (text) => {
        const r = parseAddress(text);
        if (!r.ok) expect(r.reason).toMatch(/\S/);
        const verdict = new AllowList(['192.0.2.0/24']).check({ ip: text });
        expect(typeof verdict.allowed).toBe('boolean');
      }),
      { numRuns: RUNS },
    );
  });
});
