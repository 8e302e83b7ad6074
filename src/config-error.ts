/** Thrown at start when a variable is wrong; its message names each bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `netpeek cannot start, the configuration has ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}:\n${problems.map((p) => `  - ${p}`).join('\n')}\nSee .env.example for every variable with an example.`,
    );
    this.name = 'ConfigError';
  }
}
