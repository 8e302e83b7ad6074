import { z } from 'zod';

/**
 * The Alertmanager receiver's environment variables (merged into the Slack schema) and its typed
 * config. The receiver is on when credentials and channel routes are both set; either alone is a
 * configuration error, so a half-configured receiver never silently drops alerts.
 */

const CHANNEL_ID = /^[CG][A-Z0-9]{2,}$/;
// Prometheus label names: [a-zA-Z_][a-zA-Z0-9_]*
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** One route: every matcher must equal the group's common label; `*` (no matchers) matches any group. */
export interface AlertRoute {
  channel: string;
  matchers: readonly { label: string; value: string }[];
}

export interface AlertmanagerConfig {
  /** Bearer token Alertmanager sends (http_config.authorization.credentials). */
  token?: string;
  /** Basic auth (http_config.basic_auth). */
  basic?: { username: string; password: string };
  /** In order: the first route whose matchers all hold picks the channel. */
  routes: readonly AlertRoute[];
  maxBodyBytes: number;
  /** Subjects diagnosed per notification at most (the rest are listed). */
  maxSubjects: number;
}

const routes = z
  .string()
  .default('')
  .transform((s, ctx) => {
    const out: AlertRoute[] = [];
    for (const entry of s.split(';').map((e) => e.trim()).filter(Boolean)) {
      const eq = entry.indexOf('=');
      const channel = (eq < 0 ? entry : entry.slice(0, eq)).trim();
      const rest = eq < 0 ? '' : entry.slice(eq + 1).trim();
      if (!CHANNEL_ID.test(channel)) {
        ctx.addIssue({ code: 'custom', message: `"${channel}" in "${entry}" is not a channel ID (e.g. C0123ABCD); write CHANNEL=label:value,label:value or CHANNEL=*` });
        continue;
      }
      if (rest === '*') {
        out.push({ channel, matchers: [] });
        continue;
      }
      const matchers: { label: string; value: string }[] = [];
      for (const m of rest.split(',').map((x) => x.trim()).filter(Boolean)) {
        const colon = m.indexOf(':');
        const label = colon < 0 ? '' : m.slice(0, colon).trim();
        if (!LABEL_NAME.test(label)) {
          ctx.addIssue({ code: 'custom', message: `"${m}" in "${entry}" is not label:value (e.g. namespace:shop)` });
          continue;
        }
        matchers.push({ label, value: m.slice(colon + 1).trim() });
      }
      if (matchers.length === 0) {
        ctx.addIssue({ code: 'custom', message: `"${entry}" needs label:value matchers or * after "=" (e.g. C0123ABCD=severity:critical)` });
        continue;
      }
      out.push({ channel, matchers });
    }
    return out;
  });

export const ALERTMANAGER_ENV_SCHEMA = z.object({
  NETPEEK_ALERTMANAGER_TOKEN: z
    .string()
    .min(16, 'must be at least 16 characters')
    .optional()
    .describe('Bearer token Alertmanager must send to POST /alertmanager (http_config.authorization.credentials). Set this or the basic-auth pair to turn the receiver on.'),
  NETPEEK_ALERTMANAGER_USERNAME: z.string().min(1).optional().describe('Basic-auth user Alertmanager may send instead (http_config.basic_auth.username); needs NETPEEK_ALERTMANAGER_PASSWORD.'),
  NETPEEK_ALERTMANAGER_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional().describe('Basic-auth password (http_config.basic_auth.password), at least 12 characters.'),
  NETPEEK_ALERTMANAGER_CHANNELS: routes.describe(
    'Which channel an alert group goes to, by its common labels; first match wins: "C0SHOP=namespace:shop;C0PAGE=severity:critical,team:net;C0ALERTS=*". A group no route matches is refused (422).',
  ),
  NETPEEK_ALERTMANAGER_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(4096)
    .max(16 * 1024 * 1024)
    .default(512 * 1024)
    .describe('Largest Alertmanager notification read, in bytes; a bigger one gets 413 (set max_alerts in the webhook_config to stay under it).'),
  NETPEEK_ALERTMANAGER_MAX_SUBJECTS: z.coerce.number().int().min(1).max(20).default(5).describe('Pods/Services/nodes diagnosed per notification at most; the others are only listed.'),
});

export type AlertmanagerEnv = z.infer<typeof ALERTMANAGER_ENV_SCHEMA>;

/** The typed config, undefined when the receiver is off, and the problems a schema cannot see. */
export function alertmanagerConfigFrom(e: AlertmanagerEnv): { config?: AlertmanagerConfig; problems: string[] } {
  const problems: string[] = [];
  const hasBasic = e.NETPEEK_ALERTMANAGER_USERNAME !== undefined || e.NETPEEK_ALERTMANAGER_PASSWORD !== undefined;
  if (hasBasic && (e.NETPEEK_ALERTMANAGER_USERNAME === undefined || e.NETPEEK_ALERTMANAGER_PASSWORD === undefined))
    problems.push('NETPEEK_ALERTMANAGER_USERNAME and NETPEEK_ALERTMANAGER_PASSWORD go together: set both (or neither, and use NETPEEK_ALERTMANAGER_TOKEN).');
  const hasAuth = e.NETPEEK_ALERTMANAGER_TOKEN !== undefined || hasBasic;
  if (hasAuth && e.NETPEEK_ALERTMANAGER_CHANNELS.length === 0)
    problems.push('NETPEEK_ALERTMANAGER_CHANNELS is empty but Alertmanager credentials are set: say where alerts go, e.g. NETPEEK_ALERTMANAGER_CHANNELS="C0123ABCD=*".');
  if (!hasAuth && e.NETPEEK_ALERTMANAGER_CHANNELS.length > 0)
    problems.push('NETPEEK_ALERTMANAGER_CHANNELS is set but no credentials are: set NETPEEK_ALERTMANAGER_TOKEN (or NETPEEK_ALERTMANAGER_USERNAME and _PASSWORD); the receiver never accepts unauthenticated alerts.');
  if (problems.length || !hasAuth) return { problems };
  return {
    config: {
      ...(e.NETPEEK_ALERTMANAGER_TOKEN ? { token: e.NETPEEK_ALERTMANAGER_TOKEN } : {}),
      ...(e.NETPEEK_ALERTMANAGER_USERNAME && e.NETPEEK_ALERTMANAGER_PASSWORD ? { basic: { username: e.NETPEEK_ALERTMANAGER_USERNAME, password: e.NETPEEK_ALERTMANAGER_PASSWORD } } : {}),
      routes: e.NETPEEK_ALERTMANAGER_CHANNELS,
      maxBodyBytes: e.NETPEEK_ALERTMANAGER_MAX_BODY_BYTES,
      maxSubjects: e.NETPEEK_ALERTMANAGER_MAX_SUBJECTS,
    },
    problems,
  };
}

/** The channel of the first route every matcher of which holds for these labels. */
export function routeAlert(routesList: readonly AlertRoute[], labels: Readonly<Record<string, string>>): string | undefined {
  return routesList.find((r) => r.matchers.every((m) => labels[m.label] === m.value))?.channel;
}
