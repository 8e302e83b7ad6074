/**
 * The real shells completing a netpeek command line with the script `netpeek completion <shell>` prints:
 * bash (the completion function `complete -p netpeek` names, called with COMP_WORDS/COMP_CWORD as
 * readline sets them), zsh (an interactive zsh in a zpty, compinit, the line typed and TAB pressed;
 * compadd records what the completion system was offered) and fish (`complete -C`). `netpeek` on their
 * PATH is the built bin entry.
 */
import { execFile, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { NETPEEK_BIN } from './cli.js';

let binDir: string | undefined;

/** A directory holding a `netpeek` that runs the built CLI, as `npm install -g` would put one on PATH. */
export function netpeekOnPath(): string {
  if (!binDir) {
    binDir = mkdtempSync(join(tmpdir(), 'netpeek-shell-bin-'));
    const wrapper = join(binDir, 'netpeek');
    writeFileSync(wrapper, `#!/bin/sh\nexec '${process.execPath}' '${NETPEEK_BIN}' "$@"\n`);
    chmodSync(wrapper, 0o755);
  }
  return binDir;
}

function shellEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: [netpeekOnPath(), process.env.PATH ?? ''].join(delimiter),
    HOME: process.env.HOME ?? '/root',
    TERM: 'dumb',
    LOG_LEVEL: 'silent',
    NETPEEK_HISTORY_FILE: '',
    ...env,
  };
}

function run(cmd: string, args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { env: shellEnv(env), timeout: 30_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${cmd} failed: ${err.message}\n${stderr}`)) : resolve(stdout)));
  });
}

/**
 * The words bash's readline hands a completion function for `line`: split at blanks, and at the
 * characters of COMP_WORDBREAKS that netpeek's words contain ("=" is its own word: `--namespace`, `=`, `sh`).
 */
export function bashWords(line: string): string[] {
  const words = line.split(/\s+/).filter((w, i, all) => w !== '' || i === all.length - 1);
  return words.flatMap((w) => (w.includes('=') ? w.split(/(=)/).filter((p, i, all) => p !== '' || i === all.length - 1) : [w]));
}

const BASH = `
source <(netpeek completion bash)
fn=$(complete -p netpeek | sed -E 's/.* -F ([^ ]+) .*/\\1/')
COMP_WORDS=("$@")
COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 ))
COMP_LINE="$*"
COMP_POINT=\${#COMP_LINE}
"$fn" netpeek "\${COMP_WORDS[COMP_CWORD]}" "\${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\\n' "\${COMPREPLY[@]}"
`;

/** What bash offers for `line` (the text before the cursor): COMPREPLY, one word each. */
export async function bashComplete(line: string, env: Record<string, string> = {}): Promise<string[]> {
  const out = await run('bash', ['--norc', '--noprofile', '-c', BASH, 'bash', ...bashWords(line)], env);
  return out.split('\n').filter(Boolean);
}

const ZSH = `
zmodload zsh/zpty
local line=$1 out=$2
zpty -b np zsh -f -i
zpty -w np "autoload -Uz compinit && compinit -u -D; source <(netpeek completion zsh)"
# Records every match the completion system is given, then adds it as usual.
zpty -w np "compadd() { builtin compadd -O __np_hits \\"\\$@\\"; print -rl -- \\"\\\${__np_hits[@]}\\" >> $out; builtin compadd \\"\\$@\\"; }"
# Quoted apart so that the echo of the typed line does not match: only the shell's output does.
zpty -w np "zstyle ':completion:*' menu no; print -r -- __rea''dy__"
zpty -r -m np ready '*__ready__*'
zpty -n -w np "$line"$'\\t'
zpty -w np $'\\C-u'"print -r -- __do''ne__"
zpty -r -m np done '*__done__*'
zpty -d np
`;

/** What zsh's completion system is offered for `line` after TAB, one match each. */
export async function zshComplete(line: string, env: Record<string, string> = {}): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'netpeek-zsh-'));
  const out = join(dir, 'matches');
  writeFileSync(out, '');
  await run('zsh', ['-f', '-c', ZSH, 'zsh', line, out], env);
  const { readFile, rm } = await import('node:fs/promises');
  const text = await readFile(out, 'utf8');
  await rm(dir, { recursive: true, force: true });
  return text.split('\n').filter(Boolean);
}

/** What fish offers for `line` (`complete -C`): [word, description] each. */
export async function fishComplete(line: string, env: Record<string, string> = {}): Promise<[string, string][]> {
  const out = await run('fish', ['--no-config', '-c', 'netpeek completion fish | source; complete -C $argv[1]', line], env);
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [word = '', description = ''] = l.split('\t');
      return [word, description];
    });
}

/**
 * bash as a person uses it: an interactive bash in a pty (util-linux `script`), the script sourced, `line`
 * typed, TAB pressed and a "." typed; readline completes the line, which is then echoed back (^A, `echo =`) and read.
 * Keys are queued on the terminal and readline takes them in order, so nothing waits on a clock.
 */
export function bashInPty(line: string, env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-q', '-e', '-c', 'bash --norc --noprofile -i', '/dev/null'], { env: shellEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`bash in a pty did not echo the completed line; it printed:\n${out}`));
    }, 30_000);
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      const m = /\n=([^\r\n]*)\r?\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdin.end('exit\n');
        resolve(m[1]!);
      }
    });
    child.on('error', reject);
    // A "." typed after the TAB shows whether completion added a space ("publish .") or not ("pod/.").
    child.stdin.write(`source <(netpeek completion bash)\n${line}\t.\u0001echo =\n`);
  });
}
