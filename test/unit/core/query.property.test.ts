import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/core/errors.js';
import { COUNT_RANGE, FLAG_NAMES, FLAG_SPECS, MAX_QUERY_LENGTH, PORT_PROTOCOLS, PORT_RANGE, flagSpelling, formatQuery, parseQuery, type Flags, type Query } from '../../../src/core/query.js';

/** Property tests of the query parser; the number of generated cases is in each name. */

const RUNS = 3000;

/** parseQuery's result: the Query, or the UserError it threw. Anything else thrown fails the property. */
function outcome(text: string): Query | UserError {
  try {
    return parseQuery(text);
  } catch (err) {
    if (err instanceof UserError) return err;
    throw new Error(`parseQuery(${JSON.stringify(text.slice(0, 200))}) threw ${String(err)}, not a UserError`);
  }
}

const name = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,20}$/).filter((s) => !s.startsWith('-'));
const commandWord = fc.constantFrom('container', 'pod', 'svc', 'node', 'network', 'ping', 'reach', 'explain', 'report', 'status', 'help');

/** Pieces that chat text is made of: words, flags with and without values, quotes, Slack markup, junk. */
const piece = fc.oneof(
  name,
  commandWord,
  fc.constantFrom(...FLAG_NAMES.map(flagSpelling), ...Object.values(FLAG_SPECS).flatMap((f) => ('short' in f ? [`-${f.short}`] : []))),
  fc.constantFrom('--nope', '-x', '--', '-', '--port=80', '--json=yes', '53/udp', '80/TCP', '1/sctp', '8/icmp', '--no-probe=1'),
  fc.integer({ min: -5, max: 70000 }).map(String),
  fc.constantFrom('"', "'", '\u201C', '\u201D', '\u2018', '\u2019', '\u2014port', '\u00A0', '<@U12345>', '<http://web-1|web-1>', '<https://x.example>', '/netpeek'),
  fc.constantFrom(';', '|', '&&', '$(id)', '`id`', '> /tmp/x', '*', '\\', '{a}', '!x'),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
);
const chatLine = fc.array(piece, { maxLength: 12 }).map((ps) => ps.join(' '));

/** A Query a user could type: the flags netpeek echoes back, each with a value in range. */
const echoedFlags: fc.Arbitrary<Flags> = fc.record(
  {
    namespace: name,
    cluster: name,
    port: fc.integer({ min: PORT_RANGE.min, max: PORT_RANGE.max }),
    count: fc.integer({ min: COUNT_RANGE.min, max: COUNT_RANGE.max }),
    probe: fc.constant(true),
    public: fc.constant(true),
    noProbe: fc.constant(true),
  },
  { requiredKeys: [] },
).chain((flags) =>
  flags.port === undefined ? fc.constant(flags) : fc.option(fc.constantFrom(...PORT_PROTOCOLS), { nil: undefined }).map((protocol) => (protocol ? { ...flags, protocol } : flags)),
);
const typedQuery = fc.record({ command: commandWord, args: fc.array(name, { maxLength: 3 }), flags: echoedFlags });

describe(`the query parser (properties, ${RUNS} generated cases each)`, () => {
  it(`any input (random bytes, unicode, mutated commands, Slack markup, shell metacharacters) gives a Query or a UserError, nothing else (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(fc.oneof(chatLine, fc.string({ unit: 'binary', maxLength: 600 })), (text) => {
        const r = outcome(text);
        if (r instanceof UserError) {
          expect(r.message).toMatch(/\S/);
          expect(r.message).not.toMatch(/\n\s+at /);
        } else {
          expect(typeof r.command).toBe('string');
          expect(r.args.every((a) => typeof a === 'string')).toBe(true);
          expect(r.text.length).toBeLessThanOrEqual(MAX_QUERY_LENGTH);
          if (r.flags.port !== undefined) expect(r.flags.port).toBeGreaterThanOrEqual(PORT_RANGE.min);
          if (r.flags.count !== undefined) expect(r.flags.count).toBeLessThanOrEqual(COUNT_RANGE.max);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it(`a typed Query, formatted and parsed again, is the same Query (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(typedQuery, (q) => {
        const text = formatQuery({ ...q, text: '' });
        const again = parseQuery(text);
        expect({ command: again.command, args: again.args, flags: again.flags }).toEqual(q);
        expect(formatQuery(again)).toBe(text);
      }),
      { numRuns: RUNS },
    );
  });

  it(`whatever parses, formatted and parsed again, is the same Query apart from presentation-only flags (${RUNS} cases)`, () => {
    // Flags echoed as part of another (the protocol of --port) are not presentation-only.
    const presentationOnly = FLAG_NAMES.filter((f) => FLAG_SPECS[f].echo === false && !('from' in FLAG_SPECS[f]));
    fc.assert(
      fc.property(chatLine, (text) => {
        const r = outcome(text);
        if (r instanceof UserError) return;
        const again = parseQuery(formatQuery(r));
        const flags = Object.fromEntries(Object.entries(r.flags).filter(([k]) => !presentationOnly.includes(k as never)));
        expect({ command: again.command, args: again.args, flags: again.flags }).toEqual({ command: r.command, args: r.args, flags });
      }),
      { numRuns: RUNS },
    );
  });
});
