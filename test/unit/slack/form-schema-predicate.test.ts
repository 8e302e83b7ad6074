import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { classifyForm, parseForm, SLASH_COMMAND } from '../../../src/slack/edge-payloads.js';
import { formPredicate } from '../../../src/slack/form-schema-predicate.js';
import { slashCommand } from '../../support/slack/payloads.js';
import { formBody } from '../../support/slack/sign.js';

/**
 * The ack path's shape check vouches for a slash command without zod only when zod would accept it too:
 * held to zod's own verdict over real command bodies and each field broken the ways a forged or mangled
 * request breaks it. A disagreement where the predicate says yes would let a bad request past the edge.
 */
const zodSays = (fields: Map<string, string[]>) => SLASH_COMMAND.safeParse(Object.fromEntries([...fields].map(([k, v]) => [k, v[0]]))).success;

const VALUES: Record<string, (string | undefined)[]> = {
  command: ['/netpeek', '/other', 'netpeek', '/net peek', '/a/b', `/${'x'.repeat(64)}`, `/${'x'.repeat(65)}`, '', undefined],
  text: ['pod webserver-2', '', 'é'.repeat(40_000), 'x'.repeat(40_001), undefined],
  user_id: ['U0123ABCD', 'W01', 'U 1', 'U<script>', 'x'.repeat(64), 'x'.repeat(65), '', undefined],
  channel_id: ['C0123ABCD', 'D01.a_b-c', 'C\n1', '', undefined],
  team_id: ['T0001', 'T 1', undefined],
  enterprise_id: ['E0001', 'E/1', undefined],
  trigger_id: ['1.2.abc', 'x'.repeat(256), 'x'.repeat(257), undefined],
  response_url: ['https://hooks.slack.com/commands/T1/2/abc', 'http://127.0.0.1:9/r', 'not a url', 'http://', `https://h/${'p'.repeat(2040)}`, `https://h/${'p'.repeat(2039)}`, '', undefined],
  is_enterprise_install: ['true', 'false', 'TRUE', '1', undefined],
};

function* forms(): Generator<Map<string, string[]>> {
  const base = slashCommand('pod webserver-2', 'https://hooks.slack.com/commands/T1/2/abc');
  yield parseForm(formBody(base));
  for (const [field, values] of Object.entries(VALUES)) {
    for (const v of values) {
      const fields = { ...base };
      if (v === undefined) delete fields[field];
      else fields[field] = v;
      yield parseForm(formBody(fields));
    }
  }
}

describe('formPredicate: the slash command shape check compiled from its zod schema', () => {
  it('says yes exactly when zod does, for real command bodies and every field broken', () => {
    const fits = formPredicate(SLASH_COMMAND);
    let accepted = 0;
    let refused = 0;
    for (const form of forms()) {
      const expected = zodSays(form);
      expect(fits(form), JSON.stringify(Object.fromEntries(form))).toBe(expected);
      if (expected) accepted++;
      else refused++;
    }
    // The corpus holds both verdicts in numbers, or the comparison above proves little.
    expect(accepted).toBeGreaterThan(15);
    expect(refused).toBeGreaterThan(20);
  });

  it('the refusal is still zod\'s, word for word: a response_url that is no URL', () => {
    const form = parseForm(formBody(slashCommand('pod web', 'not a url')));
    const verdict = classifyForm(form);
    expect(verdict).toMatchObject({ action: 'refuse', status: 200 });
    expect((verdict as { message: string }).message).toMatch(/^netpeek could not read this command: `response_url` must be a URL\./);
  });

  it('a schema with a check it does not mirror turns the predicate off: zod decides everything', () => {
    const fits = formPredicate(z.object({ email: z.string().email(), n: z.string().max(3) }));
    expect(fits(new Map([['email', ['a@b.example']], ['n', ['1']]]))).toBe(false);
    const nonString = formPredicate(z.object({ n: z.coerce.number() }));
    expect(nonString(new Map([['n', ['1']]]))).toBe(false);
  });
});
