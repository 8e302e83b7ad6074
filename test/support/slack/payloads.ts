import { FAKE_BOT } from './fake-slack-api.js';

/**
 * Request bodies with the field names Slack documents:
 * slash commands https://api.slack.com/interactivity/slash-commands#app_command_handling,
 * Events API https://api.slack.com/apis/events-api#callback-field, app_mention, message.im,
 * block_actions https://api.slack.com/reference/interaction-payloads/block-actions.
 */

let counter = 0;
const next = (): number => ++counter;

export const CHANNEL = 'C0NETPEEK1';
export const OTHER_CHANNEL = 'C0OTHER001';
export const USER = 'U0ALICE001';
export const OTHER_USER = 'U0BOB00001';
export const DM_CHANNEL = 'D0ALICE001';

/** Fields of a slash command POST (application/x-www-form-urlencoded). */
export function slashCommand(text: string, responseUrl: string, over: Partial<Record<string, string>> = {}): Record<string, string> {
  const n = next();
  const fields: Record<string, string | undefined> = {
    token: 'verification-token-unused',
    team_id: FAKE_BOT.teamId,
    team_domain: 'netpeek-test',
    channel_id: CHANNEL,
    channel_name: 'ops',
    user_id: USER,
    user_name: 'alice',
    command: '/netpeek',
    text,
    api_app_id: 'A0NETPEEK1',
    is_enterprise_install: 'false',
    response_url: responseUrl,
    trigger_id: `${n}.1111.${'a'.repeat(8)}${n}`,
    ...over,
  };
  return Object.fromEntries(Object.entries(fields).filter((e): e is [string, string] => e[1] !== undefined));
}

/** A unique Slack timestamp ("1760000123.000045"). */
export function slackTs(): string {
  const n = next();
  return `${1_750_000_000 + n}.${String(n).padStart(6, '0')}`;
}

export function eventId(): string {
  return `Ev0${String(next()).padStart(8, '0')}`;
}

/** Events API envelope (event_callback) around an inner event. */
export function eventCallback(event: Record<string, unknown>, id = eventId()): Record<string, unknown> {
  return {
    token: 'verification-token-unused',
    team_id: FAKE_BOT.teamId,
    api_app_id: 'A0NETPEEK1',
    event,
    type: 'event_callback',
    event_id: id,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ enterprise_id: null, team_id: FAKE_BOT.teamId, user_id: FAKE_BOT.userId, is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
    event_context: `4-${id}`,
  };
}

export interface MentionOptions {
  channel?: string;
  user?: string;
  ts?: string;
  threadTs?: string;
}

/** `app_mention`: the text starts with the bot's mention, as Slack sends it. */
export function appMention(text: string, o: MentionOptions = {}): Record<string, unknown> {
  const ts = o.ts ?? slackTs();
  return {
    type: 'app_mention',
    user: o.user ?? USER,
    text: `<@${FAKE_BOT.userId}> ${text}`,
    ts,
    channel: o.channel ?? CHANNEL,
    event_ts: ts,
    ...(o.threadTs ? { thread_ts: o.threadTs } : {}),
    team: FAKE_BOT.teamId,
  };
}

/** `message` in a DM with the bot (message.im). */
export function dmMessage(text: string, o: MentionOptions = {}): Record<string, unknown> {
  const ts = o.ts ?? slackTs();
  return {
    type: 'message',
    channel: o.channel ?? DM_CHANNEL,
    user: o.user ?? USER,
    text,
    ts,
    event_ts: ts,
    channel_type: 'im',
    ...(o.threadTs ? { thread_ts: o.threadTs } : {}),
    team: FAKE_BOT.teamId,
  };
}

export function urlVerification(challenge: string): Record<string, unknown> {
  return { token: 'verification-token-unused', challenge, type: 'url_verification' };
}

export interface ClickOptions {
  actionId: string;
  value: string;
  channel?: string;
  user?: string;
  messageTs?: string;
  isEphemeral?: boolean;
  responseUrl: string;
  triggerId?: string;
  actionTs?: string;
}

/** A `block_actions` payload (sent form-encoded in the `payload` field). */
export function blockActions(o: ClickOptions): Record<string, unknown> {
  const n = next();
  const channel = o.channel ?? CHANNEL;
  const messageTs = o.messageTs ?? slackTs();
  return {
    type: 'block_actions',
    user: { id: o.user ?? USER, username: 'alice', name: 'alice', team_id: FAKE_BOT.teamId },
    api_app_id: 'A0NETPEEK1',
    token: 'verification-token-unused',
    container: { type: 'message', message_ts: messageTs, channel_id: channel, is_ephemeral: o.isEphemeral ?? false },
    trigger_id: o.triggerId ?? `${n}.2222.${'b'.repeat(8)}${n}`,
    team: { id: FAKE_BOT.teamId, domain: 'netpeek-test' },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: channel, name: 'ops' },
    ...(o.isEphemeral ? {} : { message: { type: 'message', ts: messageTs, bot_id: FAKE_BOT.botId, text: 'netpeek answer' } }),
    response_url: o.responseUrl,
    actions: [
      {
        action_id: o.actionId,
        block_id: 'netpeek_actions',
        text: { type: 'plain_text', text: 'button', emoji: false },
        value: o.value,
        type: 'button',
        action_ts: o.actionTs ?? `${Math.floor(Date.now() / 1000)}.${String(n).padStart(6, '0')}`,
      },
    ],
  };
}

export interface MessageActionOptions {
  /** The message the shortcut was used on, as Slack sends it (text, attachments, blocks, thread_ts…). */
  message: Record<string, unknown> & { ts?: string };
  channel?: string;
  user?: string;
  responseUrl: string;
  callbackId?: string;
  triggerId?: string;
  actionTs?: string;
}

/** A `message_action` payload (https://api.slack.com/reference/interaction-payloads/shortcuts#message_actions), sent form-encoded in `payload`. */
export function messageAction(o: MessageActionOptions): Record<string, unknown> {
  const n = next();
  const ts = o.message.ts ?? slackTs();
  return {
    type: 'message_action',
    token: 'verification-token-unused',
    action_ts: o.actionTs ?? `${Math.floor(Date.now() / 1000)}.${String(n).padStart(6, '0')}`,
    team: { id: FAKE_BOT.teamId, domain: 'netpeek-test' },
    user: { id: o.user ?? USER, username: 'alice', name: 'alice', team_id: FAKE_BOT.teamId },
    channel: { id: o.channel ?? CHANNEL, name: 'ops' },
    is_enterprise_install: false,
    enterprise: null,
    callback_id: o.callbackId ?? 'diagnose_with_netpeek',
    trigger_id: o.triggerId ?? `${n}.3333.${'c'.repeat(8)}${n}`,
    response_url: o.responseUrl,
    message_ts: ts,
    message: { type: 'message', user: OTHER_USER, team: FAKE_BOT.teamId, ...o.message, ts },
  };
}
