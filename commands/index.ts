import type { NetpeekCommand } from '../src/deps.js';
import { help } from './help.js';
import { container } from './container.js';
import { network } from './network.js';
import { explain } from './explain.js';
import { status } from './status.js';
import { ping } from './ping.js';
import { reach } from './reach.js';
import { pod } from './pod.js';
import { svc } from './svc.js';
import { node } from './node.js';
import { ip } from './ip.js';
import { report } from './report.js';
import { policy } from './policy.js';
import { audit } from './audit.js';
import { changes } from './changes.js';
import { why } from './why.js';
import { dns } from './dns.js';

/** Every command netpeek knows. Adding a command: one file in commands/ and one line here. */
export const COMMANDS: readonly NetpeekCommand[] = [
  help,
  container,
  network,
  explain,
  status,
  ping,
  reach,
  pod,
  svc,
  node,
  ip,
  report,
  policy,
  audit,
  changes,
  why,
  dns,
];
