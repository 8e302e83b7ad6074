import type { Writable } from 'node:stream';
import { finishCompletion, planCompletion, type Candidate, type CompletionPlan, type NameLookup, type TerminalCommand } from '../core/completion.js';
import type { CommandRegistryView } from '../core/command.js';
import { TOPICS } from '../net/topics.js';
import { kubeContextNames, quickNames, type QuickNameKind, type QuickNameScope } from '../sources/quick-names.js';
import { completionScript, DIRECTIVE, SHELLS, type Shell } from './completion-scripts.js';
import { EXIT } from './exit-codes.js';

/**
 * The terminal's side of shell completion: `netpeek completion <shell>` prints the script, and the
 * hidden `netpeek __complete <words…>` that the script calls answers the candidates. What fits where is
 * planned from the registry (src/core/completion.ts); this fills in the names: topics and commands from
 * memory, contexts from the kubeconfig, pods, Services, nodes, namespaces, containers and networks from
 * one direct GET each, all at once, with one deadline for them all.
 */

/** How long names may take: a completion that makes the user wait is worse than one without names. */
export const NAMES_BUDGET_MS = 300;

/** The commands that exist only on the command line (main.ts runs them), completed beside the registry's. */
export const TERMINAL_COMMANDS: readonly TerminalCommand[] = [
  { name: 'console', summary: 'Ask questions interactively (the same lines as /netpeek)', flags: ['kubeconfig'] },
  { name: 'serve', summary: 'Run the Slack bot' },
  { name: 'agent', summary: 'Run the host agent (probes from this node)' },
  { name: 'completion', summary: 'Print the shell completion script: bash, zsh or fish', args: SHELLS },
];

const NAME_KINDS: ReadonlySet<string> = new Set<QuickNameKind>(['container', 'network', 'pod', 'service', 'node', 'namespace']);

export interface CompleteOptions {
  env: NodeJS.ProcessEnv;
  budgetMs?: number;
}

/** The names for each lookup of the plan; a backend that does not answer within the budget gives none. */
async function lookUp(plan: CompletionPlan, registry: CommandRegistryView, o: CompleteOptions): Promise<Map<NameLookup, Candidate[]>> {
  const kubeconfig = plan.scope.kubeconfig ?? o.env.KUBECONFIG;
  const scope: QuickNameScope = {
    ...(kubeconfig ? { kubeconfig } : {}),
    ...(plan.scope.context ? { context: plan.scope.context } : {}),
    ...(plan.scope.namespace ? { namespace: plan.scope.namespace } : {}),
    allNamespaces: plan.scope.allNamespaces,
    ...(o.env.DOCKER_HOST ? { dockerHost: o.env.DOCKER_HOST } : {}),
  };
  const signal = AbortSignal.timeout(o.budgetMs ?? NAMES_BUDGET_MS);
  const out = new Map<NameLookup, Candidate[]>();
  // One request per kind and namespace, however many lookups share it (`ping <TAB>`: containers and pods).
  const requests = new Map<string, Promise<string[]>>();
  const names = (kind: QuickNameKind, namespace: string | undefined) => {
    const key = `${kind}\0${namespace ?? ''}`;
    let p = requests.get(key);
    if (!p) requests.set(key, (p = quickNames(kind, namespace === undefined ? scope : { ...scope, namespace, allNamespaces: false }, signal, o.env)));
    return p;
  };
  await Promise.all(
    plan.lookups.map(async (l) => {
      let values: Candidate[] = [];
      if (l.source === 'topic') values = TOPICS.map((t) => ({ value: t.id, description: t.summary }));
      else if (l.source === 'command') values = registry.list().map((c) => ({ value: c.name, description: c.summary }));
      else if (l.source === 'context') values = kubeContextNames(scope.kubeconfig).map((value) => ({ value }));
      else if (NAME_KINDS.has(l.source)) {
        values = (await names(l.source as QuickNameKind, l.namespace)).map((value) => ({ value, description: l.source }));
      }
      out.set(l, values);
    }),
  );
  return out;
}

/** `netpeek __complete <words…>`: the candidates, one a line (`word<TAB>description`), then `:<directive>`. */
export async function runComplete(words: readonly string[], registry: CommandRegistryView, stdout: Writable, o: CompleteOptions): Promise<number> {
  let lines: string[] = [];
  let directive: number = DIRECTIVE.noFiles;
  try {
    const plan = planCompletion(words.length ? words : [''], registry, TERMINAL_COMMANDS);
    const candidates = finishCompletion(plan, await lookUp(plan, registry, o));
    lines = candidates.map((c) => (c.description ? `${c.value}\t${c.description.replace(/[\t\n]/g, ' ')}` : c.value));
    directive = (plan.noSpace ? DIRECTIVE.noSpace : 0) | (plan.files ? 0 : DIRECTIVE.noFiles);
  } catch {
    // A line completion cannot read offers nothing; the question itself will say what is wrong.
  }
  stdout.write([...lines, `:${directive}`].join('\n') + '\n');
  return EXIT.ok;
}

/** `netpeek completion <shell>`: the script, or which shells there are. */
export function printCompletion(args: readonly string[], stdout: Writable, stderr: Writable): number {
  const shell = args[0];
  if (shell === '-h' || shell === '--help') {
    stdout.write(`${COMPLETION_HELP}\n`);
    return EXIT.ok;
  }
  if (!shell || !(SHELLS as readonly string[]).includes(shell) || args.length > 1) {
    const what = !shell ? 'netpeek completion needs the name of your shell.' : args.length > 1 ? `netpeek completion takes one shell; "${args.slice(1).join(' ')}" is extra.` : `netpeek completion has no script for "${shell}".`;
    stderr.write(`${what}\nShells: ${SHELLS.join(', ')}\nExample: source <(netpeek completion bash)\n`);
    return EXIT.userError;
  }
  stdout.write(completionScript(shell as Shell));
  return EXIT.ok;
}

const COMPLETION_HELP = [
  'Print the shell completion script: commands, flags, explain topics, and names of containers, pods,',
  'Services, nodes and namespaces when Docker or the Kubernetes API answers within 0.3 s.',
  '',
  'Examples:',
  '  source <(netpeek completion bash)          # this bash; add the line to ~/.bashrc for every shell',
  '  source <(netpeek completion zsh)           # this zsh (after compinit); or save it as _netpeek in $fpath',
  '  netpeek completion fish | source           # this fish; or save it in ~/.config/fish/completions/netpeek.fish',
  '',
  'Usage:',
  '  netpeek completion (bash | zsh | fish)',
].join('\n');
