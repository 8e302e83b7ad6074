import { accessSync, constants, statSync } from 'node:fs';
import { UserError } from '../core/errors.js';

/**
 * `--kubeconfig <path>` on the command line, found before anything else is read: it decides which
 * kubeconfig the Kubernetes source loads, so it has to be known when the config is (it stands in for
 * KUBECONFIG for this run, as in kubectl). Words after `--` are names, not flags. The query parser
 * reads the flag again (and checks the command takes it); this only finds the file and checks it.
 */
export function kubeconfigFromArgv(argv: readonly string[]): string | undefined {
  let found: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const t = argv[i]!;
    if (t === '--') break;
    if (t === '--kubeconfig') found = argv[i + 1];
    else if (t.startsWith('--kubeconfig=')) found = t.slice('--kubeconfig='.length);
    else continue;
    if (found === undefined || found === '' || found.startsWith('-')) {
      throw new UserError('--kubeconfig needs the path of a kubeconfig file.', ['Example: netpeek pod web-1 --kubeconfig ~/.kube/dev.yaml']);
    }
  }
  if (found === undefined) return undefined;
  try {
    if (!statSync(found).isFile()) throw new UserError(`--kubeconfig ${found} is not a file.`, ['Give the path of a kubeconfig file, e.g. --kubeconfig ~/.kube/config']);
    accessSync(found, constants.R_OK);
  } catch (err) {
    if (err instanceof UserError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(`--kubeconfig ${found}: ${code === 'ENOENT' ? 'there is no such file' : code === 'EACCES' ? 'netpeek may not read it' : `it cannot be read (${code ?? 'error'})`}.`, [
      'Give the path of a kubeconfig file, e.g. --kubeconfig ~/.kube/config',
    ]);
  }
  return found;
}
