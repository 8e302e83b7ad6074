import { maskSecrets } from '../log.js';

/**
 * An error as netpeek logs it from the Slack side: name, code, message and stack only. Web API and axios
 * errors carry the original request (with the `Authorization: Bearer xoxb-…` header) in enumerable
 * fields that pino's error serializer would otherwise print.
 */
export function safeError(err: unknown): { type: string; message: string; code?: string; stack?: string } {
  if (!(err instanceof Error)) return { type: typeof err, message: maskSecrets(String(err)) };
  const code = (err as { code?: unknown }).code;
  return {
    type: err.name,
    message: maskSecrets(err.message),
    ...(typeof code === 'string' ? { code } : {}),
    ...(err.stack ? { stack: maskSecrets(err.stack) } : {}),
  };
}
