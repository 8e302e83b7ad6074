/**
 * The kubeconfig file handed to kubectl and @kubernetes/client-node, and the optional self-signed
 * serving certificate (made once per process with the openssl CLI, SAN IP:127.0.0.1).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';

const run = promisify(execFile);

export type Certificate = { key: string; cert: string };
let certificate: Promise<Certificate> | undefined;

async function generate(): Promise<Certificate> {
  const dir = await mkdtemp(join(tmpdir(), 'netpeek-kube-cert-'));
  try {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    await run('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', key, '-out', cert, '-days', '7', '-subj', '/CN=kube-apiserver',
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,digitalSignature,keyCertSign',
      '-addext', 'extendedKeyUsage=serverAuth',
    ], { timeout: 20_000 });
    return { key: await readFile(key, 'utf8'), cert: await readFile(cert, 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A self-signed certificate for 127.0.0.1 that is its own CA; generated once per process. */
export function servingCertificate(): Promise<Certificate> {
  certificate ??= generate().catch((e: unknown) => {
    certificate = undefined;
    throw e;
  });
  return certificate;
}

export type KubeconfigParams = { server: string; context: string; namespace: string; token: string; caPem?: string };

export function kubeconfigYaml(p: KubeconfigParams): string {
  const cluster: Record<string, unknown> = { server: p.server };
  if (p.caPem) cluster['certificate-authority-data'] = Buffer.from(p.caPem).toString('base64');
  // client-node refuses plain http: unless the cluster says insecure-skip-tls-verify.
  else cluster['insecure-skip-tls-verify'] = true;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: p.context, cluster }],
    // Always a token: kubectl prompts for a username on stdin when an https cluster's user has no credentials.
    users: [{ name: p.context, user: { token: p.token } }],
    contexts: [{ name: p.context, context: { cluster: p.context, user: p.context, namespace: p.namespace } }],
    'current-context': p.context,
    preferences: {},
  });
}
