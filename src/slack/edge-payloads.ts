import { z } from 'zod';
import type { AuditSource } from '../store/audit-log.js';
import { formPredicate } from './form-schema-predicate.js';

/**
 * The shapes of the signed Slack requests netpeek accepts, checked (zod) before anything reaches Bolt
 * or netpeek's listeners. Each schema names the fields Bolt 4.7 and netpeek read, with the types they
 * assume; other fields pass through untouched. A new surface (a message shortcut, say) is one more
 * entry in `classifyPayload` and its schema here.
 */

const id = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be a Slack ID such as C0123ABCD');
const ts = z.string().regex(/^\d{1,12}(\.\d{1,9})?$/, 'must be a Slack timestamp such as 1712345678.000100');
const text = z.string().max(40_000, 'is longer than Slack allows (40,000 characters)');

/** Slash command form fields (https://api.slack.com/interactivity/slash-commands#app_command_handling). */
export const SLASH_COMMAND = z.object({
  command: z.string().regex(/^\/[^\s/]{1,64}$/, 'must be a slash command such as /netpeek'),
  text: text.optional(),
  user_id: id,
  channel_id: id,
  team_id: id.optional(),
  enterprise_id: id.optional(),
  trigger_id: z.string().max(256).optional(),
  response_url: z.string().url('must be a URL').max(2048),
  is_enterprise_install: z.enum(['true', 'false']).optional(),
});
/** Every command passes this shape check before its ack: zod only for the ones this cannot vouch for. */
const slashCommandFits = formPredicate(SLASH_COMMAND);

/** Authorizations of an Events API callback: Bolt reads the first one's team, enterprise and install kind. */
const AUTHORIZATION = z
  .object({
    team_id: id.nullable().optional(),
    enterprise_id: id.nullable().optional(),
    user_id: id.optional(),
    is_enterprise_install: z.boolean().optional(),
  })
  .passthrough();

const EVENT_ENVELOPE = z.object({
  type: z.literal('event_callback'),
  event_id: z.string().max(128),
  team_id: id.optional(),
  enterprise_id: id.nullable().optional(),
  is_enterprise_install: z.boolean().optional(),
  authorizations: z.array(AUTHORIZATION).max(100).optional(),
  // Shape of the inner event is checked per type below; Bolt looks into `item` and `channel` of any event.
  event: z
    .object({
      type: z.string().min(1).max(128),
      channel: z.union([z.string(), z.object({ id: z.string() }).passthrough()]).optional(),
      item: z.object({}).passthrough().optional(),
      user: z.union([z.string(), z.object({ id: z.string() }).passthrough()]).optional(),
      subteam: z.object({}).passthrough().optional(),
    })
    .passthrough(),
});

/** The events netpeek subscribes to (app_mention, message.im, app_home_opened), with the fields its listeners read. */
const APP_MENTION = z.object({ type: z.literal('app_mention'), channel: id, ts, text, user: id.optional(), thread_ts: ts.optional() });
const MESSAGE = z.object({
  type: z.literal('message'),
  channel: id,
  ts,
  text: text.optional(),
  user: id.optional(),
  channel_type: z.string().max(32).optional(),
  subtype: z.string().max(64).optional(),
  bot_id: z.string().max(64).optional(),
  thread_ts: ts.optional(),
});
/** The App Home tab opened (https://api.slack.com/events/app_home_opened). */
const APP_HOME_OPENED = z.object({ type: z.literal('app_home_opened'), user: id, channel: id, tab: z.enum(['home', 'messages']) });
const HANDLED_EVENTS: Record<string, z.ZodTypeAny> = { app_mention: APP_MENTION, message: MESSAGE, app_home_opened: APP_HOME_OPENED };

const URL_VERIFICATION = z.object({ type: z.literal('url_verification'), challenge: z.string().min(1).max(512) });

/** block_actions (https://api.slack.com/reference/interaction-payloads/block-actions): what Bolt and the button handler read. */
const BLOCK_ACTIONS = z.object({
  type: z.literal('block_actions'),
  user: z.object({ id, team_id: id.optional() }).passthrough(),
  actions: z
    .array(z.object({ type: z.string().max(64), action_id: z.string().min(1).max(255), block_id: z.string().max(255).optional(), value: z.string().max(2000).optional(), action_ts: z.string().max(64).optional() }).passthrough())
    .min(1)
    .max(25),
  trigger_id: z.string().max(256).optional(),
  response_url: z.string().url('must be a URL').max(2048).optional(),
  channel: z.object({ id }).passthrough().optional(),
  container: z
    .object({ type: z.string().optional(), message_ts: ts.optional(), channel_id: id.optional(), is_ephemeral: z.boolean().optional(), thread_ts: ts.optional() })
    .passthrough()
    .optional(),
  message: z.object({ ts: ts.optional(), thread_ts: ts.optional() }).passthrough().optional(),
  team: z.object({ id, enterprise_id: id.optional() }).passthrough().nullable().optional(),
  enterprise: z.object({ id }).passthrough().nullable().optional(),
  is_enterprise_install: z.boolean().optional(),
});

/** message_action (https://api.slack.com/reference/interaction-payloads/shortcuts#message_actions): what Bolt and the shortcut read. */
const MESSAGE_ACTION = z.object({
  type: z.literal('message_action'),
  callback_id: z.string().min(1).max(255),
  trigger_id: z.string().max(256),
  action_ts: z.string().max(64),
  message_ts: ts,
  response_url: z.string().url('must be a URL').max(2048),
  user: z.object({ id, team_id: id.optional() }).passthrough(),
  channel: z.object({ id }).passthrough(),
  team: z.object({ id, enterprise_id: id.optional() }).passthrough().nullable().optional(),
  enterprise: z.object({ id }).passthrough().nullable().optional(),
  is_enterprise_install: z.boolean().optional(),
  message: z
    .object({
      ts,
      thread_ts: ts.optional(),
      text: text.optional(),
      attachments: z.array(z.unknown()).max(100).optional(),
      blocks: z.array(z.unknown()).max(100).optional(),
    })
    .passthrough(),
});

/** What the edge decided about one signed request. */
export type EdgeVerdict =
  /** Hand it to Bolt. */
  | {
      action: 'pass';
      kind: 'slash' | 'event' | 'block_actions' | 'message_action' | 'url_verification';
      /** The slash command's name (`/netpeek`), read once here. */
      command?: string;
      /** Who asked and what (slash commands): for the audit record when the edge answers it itself. */
      who?: { user: string; channel: string; text: string };
    }
  /** A well-formed event of a type netpeek does not subscribe to: acknowledge, run nothing. */
  | { action: 'ignore'; kind: string }
  | Refusal;

/** A payload netpeek will not hand on: why, and what the audit record says about who sent it. */
export interface Refusal {
  action: 'refuse';
  /** 200 with an ephemeral message where Slack shows one (slash commands), else 400. */
  status: 200 | 400;
  message: string;
  audit: { source: AuditSource; user: string; channel: string; target: string };
}

const INTERACTIVITY_SURFACES = 'slash commands, @mentions, direct messages, its own buttons and the "Diagnose with netpeek" message shortcut';

/** "`event.user` must be a Slack ID such as C0123ABCD; `actions` …" — the first few problems, named by field. */
function describeIssues(error: z.ZodError, prefix: string): string {
  return error.issues
    .slice(0, 3)
    .map((i) => {
      const path = [prefix, ...i.path].filter((p) => p !== '').join('.');
      const what = i.code === 'invalid_type' && i.received === 'undefined' ? 'is missing' : i.message.replace(/^Expected /, 'expected ').replace(/^Required$/, 'is missing');
      return `\`${path}\` ${what}`;
    })
    .join('; ');
}

const str = (v: unknown): string => (typeof v === 'string' ? v.slice(0, 64) : '');
const obj = (v: unknown): Record<string, unknown> => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

function refuse(status: 200 | 400, message: string, source: AuditSource, user: unknown, channel: unknown, target: string): Refusal {
  return { action: 'refuse', status, message, audit: { source, user: str(user), channel: str(channel), target: target.slice(0, 200) } };
}

/** A form body as field → every value it was sent with (URLSearchParams decodes like Bolt's querystring). */
export function parseForm(body: string): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  new URLSearchParams(body).forEach((v, k) => {
    const values = fields.get(k);
    if (values) values.push(v);
    else fields.set(k, [v]);
  });
  return fields;
}

/** Whether any field arrived more than once (checked for every command, so without building a list). */
function hasDuplicates(fields: Map<string, string[]>): boolean {
  for (const values of fields.values()) if (values.length > 1) return true;
  return false;
}

function classifySlashCommand(fields: Map<string, string[]>): EdgeVerdict {
  const one = (k: string) => fields.get(k)?.[0];
  if (hasDuplicates(fields)) {
    const dupes = [...fields].filter(([, v]) => v.length > 1).map(([k, v]) => `\`${k}\` (${v.length} times)`);
    return refuse(
      200,
      `netpeek could not read this command: ${dupes.join(', ')} arrived more than once in one request, and netpeek will not guess which one you meant. Slack sends each field once; run the command again, e.g. \`${one('command') ?? '/netpeek'} pod webserver-2\`.`,
      'slash',
      one('user_id'),
      one('channel_id'),
      `duplicate fields: ${dupes.join(', ')}`,
    );
  }
  const parsed = slashCommandFits(fields) ? undefined : SLASH_COMMAND.safeParse(Object.fromEntries([...fields].map(([k, v]) => [k, v[0]])));
  if (!parsed || parsed.success) return { action: 'pass', kind: 'slash', command: one('command') ?? '', who: { user: one('user_id') ?? '', channel: one('channel_id') ?? '', text: (one('text') ?? '').slice(0, 200) } };
  const problems = describeIssues(parsed.error, '');
  return refuse(
    200,
    `netpeek could not read this command: ${problems}. netpeek needs the channel, user and response URL Slack sends with every slash command, to know where it may answer. Run it again from a channel or DM; if this keeps happening, check the app's slash command settings.`,
    'slash',
    one('user_id'),
    one('channel_id'),
    problems,
  );
}

function classifyInteractivity(fields: Map<string, string[]>): EdgeVerdict {
  const raw = fields.get('payload') ?? [];
  const dupes = [...fields].filter(([, v]) => v.length > 1).map(([k, v]) => `\`${k}\` (${v.length} times)`);
  if (dupes.length) {
    return refuse(400, `an interactivity request carries each field once; ${dupes.join(', ')} arrived more than once`, 'payload', '', '', `duplicate fields: ${dupes.join(', ')}`);
  }
  let payload: unknown;
  try {
    payload = JSON.parse(raw[0] as string);
  } catch {
    return refuse(400, 'the `payload` field is not JSON', 'payload', '', '', 'payload not JSON');
  }
  const p = obj(payload);
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    return refuse(400, `the \`payload\` field must be a JSON object (got ${payload === null ? 'null' : Array.isArray(payload) ? 'an array' : typeof payload})`, 'payload', '', '', 'payload not an object');
  }
  const user = obj(p.user).id;
  const channel = obj(p.channel).id ?? obj(p.container).channel_id;
  if (p.type === 'message_action') {
    const action = MESSAGE_ACTION.safeParse(payload);
    if (action.success) return { action: 'pass', kind: 'message_action' };
    const problems = describeIssues(action.error, 'payload');
    return refuse(400, `this message shortcut cannot be read: ${problems}`, 'shortcut', user, channel, problems);
  }
  if (p.type !== 'block_actions') {
    const kind = typeof p.type === 'string' ? p.type.slice(0, 64) : '(no type)';
    return refuse(400, `netpeek has no handler for \`${kind}\` payloads: it answers ${INTERACTIVITY_SURFACES}`, 'payload', user, channel, `unhandled payload type ${kind}`);
  }
  const parsed = BLOCK_ACTIONS.safeParse(payload);
  if (parsed.success) return { action: 'pass', kind: 'block_actions' };
  const problems = describeIssues(parsed.error, 'payload');
  return refuse(400, `this button click cannot be read: ${problems}`, 'button', user, channel, problems);
}

function classifyJson(body: unknown): EdgeVerdict {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    const got = body === null ? 'null' : Array.isArray(body) ? 'an array' : typeof body;
    return refuse(400, `a JSON request must be an object such as {"type":"event_callback",…} (got ${got})`, 'payload', '', '', `JSON body is ${got}`);
  }
  const b = body as Record<string, unknown>;
  if (b.type === 'url_verification') {
    const v = URL_VERIFICATION.safeParse(b);
    return v.success ? { action: 'pass', kind: 'url_verification' } : refuse(400, `url_verification: ${describeIssues(v.error, '')}`, 'payload', '', '', 'bad url_verification');
  }
  if (b.type !== 'event_callback') {
    const kind = typeof b.type === 'string' ? b.type.slice(0, 64) : '(no type)';
    return refuse(400, `netpeek reads Events API callbacks (\`type: "event_callback"\`) and url_verification; \`${kind}\` is neither`, 'payload', '', '', `JSON type ${kind}`);
  }
  const event = obj(b.event);
  const source: AuditSource = event.channel_type === 'im' ? 'dm' : 'mention';
  const envelope = EVENT_ENVELOPE.safeParse(b);
  if (!envelope.success) {
    const problems = describeIssues(envelope.error, '');
    return refuse(400, `this event callback cannot be read: ${problems}`, source, event.user, event.channel, problems);
  }
  const schema = HANDLED_EVENTS[envelope.data.event.type];
  if (!schema) return { action: 'ignore', kind: envelope.data.event.type.slice(0, 64) };
  const inner = schema.safeParse(event);
  if (inner.success) return { action: 'pass', kind: 'event' };
  const problems = describeIssues(inner.error, 'event');
  return refuse(400, `this ${envelope.data.event.type} event cannot be read: ${problems}`, source, event.user, event.channel, problems);
}

/**
 * Sorts a signed request body (already within the size cap) into: hand to Bolt, acknowledge and drop,
 * or refuse with a sentence naming the field that was wrong.
 */
export function classifyPayload(mediaType: 'form' | 'json', body: string): EdgeVerdict {
  if (mediaType === 'json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return refuse(400, 'the body is not valid JSON', 'payload', '', '', 'body not JSON');
    }
    return classifyJson(parsed);
  }
  return classifyForm(parseForm(body));
}

/** The same for a form body already parsed with `parseForm`. */
export function classifyForm(fields: Map<string, string[]>): EdgeVerdict {
  if (fields.has('payload')) return classifyInteractivity(fields);
  if (fields.has('command')) return classifySlashCommand(fields);
  return refuse(400, `a form request must be a slash command (a \`command\` field) or an interactivity \`payload\`; netpeek answers ${INTERACTIVITY_SURFACES}`, 'payload', fields.get('user_id')?.[0], fields.get('channel_id')?.[0], 'form without command or payload');
}
