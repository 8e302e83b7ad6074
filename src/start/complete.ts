import { printCompletion, runComplete } from '../cli/complete.js';
import { EXIT } from '../cli/exit-codes.js';
import { CommandRegistry } from '../core/registry.js';
import { loadCommands } from './commands.js';

/**
 * `netpeek completion <shell>` and the hidden `netpeek __complete <words…>` that its script runs on every
 * <TAB>. The registry comes from the commands' manifest (their specs only: no command module is loaded),
 * and neither the configuration nor a backend's library is: names come from one plain request each.
 */
export async function runCompletionCli(argv: string[]): Promise<number> {
  if (argv[0] === 'completion') return printCompletion(argv.slice(1), process.stdout, process.stderr);
  const registry = new CommandRegistry(await loadCommands());
  await runComplete(argv.slice(1), registry, process.stdout, { env: process.env });
  // A name request abandoned at the deadline must not hold the shell's prompt: end as soon as the words are out.
  await new Promise<void>((done) => process.stdout.write('', () => done()));
  process.exit(EXIT.ok);
}
