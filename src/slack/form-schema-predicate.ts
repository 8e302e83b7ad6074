import { z } from 'zod';

/**
 * A zod object of string fields (a slash command's form) compiled into a plain predicate: true only when
 * every check zod would run passes. On the ack path the shape check runs for every command, and zod's
 * safeParse is most of its cost (~12 µs warm, several times that in a process idle between bursts); a
 * request the predicate cannot vouch for still goes through zod, which decides and words the refusal.
 * Compiled from the schema itself, so a check added to the schema is a check here — or, when it is of a
 * kind this does not know, the predicate turns itself off and zod checks everything.
 */
export type FormPredicate = (fields: ReadonlyMap<string, readonly string[]>) => boolean;

type ValueCheck = (v: string) => boolean;

/** One string schema's checks, or undefined when it has one this does not mirror exactly. */
function stringCheck(s: z.ZodTypeAny): ValueCheck | undefined {
  if (s instanceof z.ZodEnum) {
    const values = new Set<string>(s.options as string[]);
    return (v) => values.has(v);
  }
  if (!(s instanceof z.ZodString)) return undefined;
  const checks: ValueCheck[] = [];
  for (const c of s._def.checks) {
    if (c.kind === 'max') checks.push((v) => v.length <= c.value);
    else if (c.kind === 'min') checks.push((v) => v.length >= c.value);
    else if (c.kind === 'regex') checks.push((v) => ((c.regex.lastIndex = 0), c.regex.test(v)));
    else if (c.kind === 'url') checks.push((v) => URL.canParse(v));
    else return undefined;
  }
  return (v) => checks.every((check) => check(v));
}

/** Fields in the schema with whether they may be missing; undefined when the predicate cannot mirror it. */
function fieldChecks(schema: z.AnyZodObject): [string, boolean, ValueCheck][] | undefined {
  const out: [string, boolean, ValueCheck][] = [];
  for (const [name, field] of Object.entries(schema.shape as Record<string, z.ZodTypeAny>)) {
    const optional = field instanceof z.ZodOptional;
    const check = stringCheck(optional ? (field as z.ZodOptional<z.ZodTypeAny>).unwrap() : field);
    if (!check) return undefined;
    out.push([name, optional, check]);
  }
  return out;
}

/** The predicate for `schema` (a form's first value of each field is what zod is given). */
export function formPredicate(schema: z.AnyZodObject): FormPredicate {
  const fields = fieldChecks(schema);
  if (!fields) return () => false;
  return (form) => {
    for (const [name, optional, check] of fields) {
      const v = form.get(name)?.[0];
      if (v === undefined ? !optional : !check(v)) return false;
    }
    return true;
  };
}
