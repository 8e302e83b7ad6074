import type { Command } from '../src/core/command.js';
import { help } from './help.js';

/** Every command netpeek knows. Adding a command: one file in commands/ and one line here. */
export const COMMANDS: readonly Command[] = [
  help,
];
