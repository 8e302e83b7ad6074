import type { ZodError } from 'zod';

/** Thrown at start when a variable is wrong; its message names each bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `netpeek cannot start, the configuration has ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}:\n${problems.map((p) => `  - ${p}`).join('\n')}\nSee .env.example for every variable with an example.`,
    );
    this.name = 'ConfigError';
  }
}

/** One sentence per invalid variable, `NAME="value": what is wrong`; secrets, tokens and database URLs are never echoed. */
export function envProblems(error: ZodError, env: NodeJS.ProcessEnv): string[] {
  return error.issues.map((i) => {
    const name = String(i.path[0]);
    const shown = /TOKEN|SECRET|PASSWORD|DATABASE_URL/.test(name) ? '(hidden)' : JSON.stringify(env[name]);
    return `${name}=${shown}: ${i.message}`;
  });
}
