import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadAgentConfig } from '../../../src/agent/agent-config.js';
import { ENV_SCHEMA } from '../../../src/config.js';
import { parseDefinitions } from '../../../src/reports/definitions.js';
import { REPORTS_ENV_SCHEMA } from '../../../src/reports/report-config.js';
import { describeNeeding } from '../../support/backends.js';
import { kustomize, parseObjects, strictFieldErrors, validateAll, validateObject, type K8sObject } from './k8s-validate.js';

/**
 * deploy/kubernetes rendered by this machine's `kubectl kustomize`, every object validated against the
 * Kubernetes schemas (see k8s-validate.ts), and the security properties the design promises asserted on
 * the rendered output — what `kubectl apply -k` would send.
 */

const DIR = fileURLToPath(new URL('../../../deploy/kubernetes/', import.meta.url));
const NAMESPACE = 'netpeek';
const BOT = 'netpeek-bot';
const AGENT = 'netpeek-agent';
const AGENT_UID = 10001;

type Json = Record<string, any>;

interface Container {
  name: string;
  securityContext?: Json;
  env?: Json[];
  envFrom?: Json[];
  ports?: Json[];
  [k: string]: unknown;
}

const WORKLOAD_KINDS = new Set(['Deployment', 'DaemonSet', 'StatefulSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod']);

function podSpec(o: K8sObject): Json | undefined {
  const spec = o.spec as Json | undefined;
  if (o.kind === 'Pod') return spec;
  if (o.kind === 'CronJob') return spec?.jobTemplate?.spec?.template?.spec;
  return spec?.template?.spec;
}

function containersOf(spec: Json): Container[] {
  return [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])] as Container[];
}

function one(objects: K8sObject[], kind: string, name: string): Json {
  const found = objects.filter((o) => o.kind === kind && o.metadata?.name === name);
  expect(found, `${kind}/${name}`).toHaveLength(1);
  return found[0] as Json;
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** The effective value of a security setting: the container's, else the pod's. */
function effective(pod: Json, c: Container, key: string): unknown {
  return c.securityContext?.[key] ?? pod.securityContext?.[key];
}

describeNeeding(['kubectl'], 'deploy/kubernetes: rendered, schema-valid, least privilege', () => {
  let objects: K8sObject[] = [];

  beforeAll(async () => {
    objects = await kustomize(DIR);
  });

  it('renders with kubectl kustomize into the expected objects, all in namespace netpeek', () => {
    const kinds = objects.map((o) => `${o.kind}/${o.metadata?.name?.replace(/-[a-z0-9]{10}$/, '-<hash>')}`).sort();
    expect(kinds).toEqual(
      [
        'ClusterRole/netpeek-bot-read',
        'ClusterRoleBinding/netpeek-bot-read',
        'ConfigMap/netpeek-agent-config-<hash>',
        'ConfigMap/netpeek-bot-config-<hash>',
        'ConfigMap/netpeek-report-definitions-<hash>',
        'DaemonSet/netpeek-agent',
        'Deployment/netpeek-bot',
        'Namespace/netpeek',
        'NetworkPolicy/netpeek-agent-ingress',
        'PodDisruptionBudget/netpeek-bot',
        'Role/netpeek-bot-state',
        'RoleBinding/netpeek-bot-state',
        'Service/netpeek-bot',
        'ServiceAccount/netpeek-agent',
        'ServiceAccount/netpeek-bot',
      ].sort(),
    );
    const clusterScoped = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding']);
    for (const o of objects) {
      if (clusterScoped.has(o.kind)) expect(o.metadata?.namespace, `${o.kind}/${o.metadata?.name}`).toBeUndefined();
      else expect(o.metadata?.namespace, `${o.kind}/${o.metadata?.name}`).toBe(NAMESPACE);
      expect(o.metadata?.labels?.['app.kubernetes.io/part-of']).toBe('netpeek');
    }
    // No Secret is rendered: it is created by the operator (secret.example.yaml).
    expect(objects.some((o) => o.kind === 'Secret')).toBe(false);
  });

  it('every object is valid against the Kubernetes schemas, with no unknown field', async () => {
    expect(await validateAll(objects)).toEqual([]);
  });

  it('the validation catches a misspelled field, a wrong type and a missing required field', async () => {
    const ds = clone(one(objects, 'DaemonSet', AGENT)) as K8sObject;
    const sc = (ds as Json).spec.template.spec.containers[0].securityContext;
    sc.runAsNonRot = sc.runAsNonRoot; // a typo kubectl --validate=strict would refuse
    delete sc.runAsNonRoot;
    const typo = await validateObject(ds);
    expect(typo).toEqual(['DaemonSet/netpeek-agent /spec/template/spec/containers/0/securityContext/runAsNonRot: unknown field "runAsNonRot" (not a field of V1SecurityContext)']);

    const deploy = clone(one(objects, 'Deployment', BOT)) as Json;
    deploy.spec.replica = deploy.spec.replicas; // top-level typo in the spec
    deploy.spec.template.spec.containers[0].readinesProbe = deploy.spec.template.spec.containers[0].readinessProbe;
    expect(strictFieldErrors(deploy as K8sObject).sort()).toEqual([
      '/spec/replica: unknown field "replica" (not a field of V1DeploymentSpec)',
      '/spec/template/spec/containers/0/readinesProbe: unknown field "readinesProbe" (not a field of V1Container)',
    ]);

    const wrong = clone(one(objects, 'Deployment', BOT)) as Json;
    wrong.spec.replicas = 'two';
    delete wrong.spec.template.spec.containers[0].name;
    const errors = await validateObject(wrong as K8sObject);
    expect(errors.some((e) => e.includes('/spec/replicas: must be integer'))).toBe(true);
    expect(errors.some((e) => e.includes('/spec/template/spec/containers/0: must have required property') && e.includes('name'))).toBe(true);
  });

  it('the Secret template is valid, kept out of the kustomization, and has every key the pods read', async () => {
    const kustomization = parse(readFileSync(join(DIR, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
    expect(kustomization.resources).not.toContain('secret.example.yaml');
    const [secret] = parseObjects(readFileSync(join(DIR, 'secret.example.yaml'), 'utf8'));
    expect(secret?.kind).toBe('Secret');
    expect(await validateObject(secret!)).toEqual([]);
    const keys = Object.keys((secret as Json).stringData);
    const agent = one(objects, 'DaemonSet', AGENT).spec.template.spec.containers[0] as Container;
    const refs = (agent.env ?? []).filter((e) => e.valueFrom?.secretKeyRef).map((e) => e.valueFrom.secretKeyRef);
    for (const ref of refs) {
      expect(ref.name).toBe(secret!.metadata?.name);
      expect(keys).toContain(ref.key);
    }
    expect(keys).toEqual(expect.arrayContaining(['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'NETPEEK_AGENT_SECRET']));
  });

  it('no container is privileged; every one drops ALL; only the agent adds a capability, and only NET_RAW', () => {
    const workloads = objects.filter((o) => WORKLOAD_KINDS.has(o.kind));
    expect(workloads.map((w) => w.kind).sort()).toEqual(['DaemonSet', 'Deployment']);
    for (const w of workloads) {
      const pod = podSpec(w)!;
      expect(pod.hostPID ?? false).toBe(false);
      expect(pod.hostIPC ?? false).toBe(false);
      expect((pod.volumes ?? []).filter((v: Json) => v.hostPath)).toEqual([]);
      for (const c of containersOf(pod)) {
        const where = `${w.kind}/${w.metadata?.name} container ${c.name}`;
        expect(c.securityContext?.privileged ?? false, where).toBe(false);
        expect(c.securityContext?.capabilities?.drop, where).toEqual(['ALL']);
        expect(effective(pod, c, 'runAsNonRoot'), where).toBe(true);
        expect(c.securityContext?.readOnlyRootFilesystem, where).toBe(true);
        expect((effective(pod, c, 'seccompProfile') as Json | undefined)?.type, where).toBe('RuntimeDefault');
        const added = c.securityContext?.capabilities?.add ?? [];
        if (w.kind === 'DaemonSet' && w.metadata?.name === AGENT) {
          expect(added, where).toEqual(['NET_RAW']);
          // Needed for fping's file capability (no_new_privs would ignore it); proven with Docker in image.test.ts.
          expect(c.securityContext?.allowPrivilegeEscalation, where).toBe(true);
          expect(effective(pod, c, 'runAsUser'), where).toBe(AGENT_UID);
        } else {
          expect(added, where).toEqual([]);
          expect(c.securityContext?.allowPrivilegeEscalation, where).toBe(false);
        }
      }
    }
  });

  it('the bot: 2 replicas, probes on /healthz :3000, resources, its own ServiceAccount, writable dirs as emptyDir', () => {
    const d = one(objects, 'Deployment', BOT);
    expect(d.spec.replicas).toBe(2);
    const pod = d.spec.template.spec;
    expect(pod.serviceAccountName).toBe(BOT);
    expect(pod.hostNetwork ?? false).toBe(false);
    const [c] = pod.containers as Container[];
    expect(c!.args).toEqual(['serve']);
    const port = (name: unknown) => (typeof name === 'number' ? name : (c!.ports ?? []).find((p) => p.name === name)?.containerPort);
    for (const probe of ['readinessProbe', 'livenessProbe'] as const) {
      const p = c![probe] as Json;
      expect(p.httpGet.path, probe).toBe('/healthz');
      expect(port(p.httpGet.port), probe).toBe(3000);
    }
    const res = c!.resources as Json;
    expect(Object.keys(res.requests).sort()).toEqual(['cpu', 'memory']);
    expect(res.limits.memory).toBeDefined();
    // Read-only root filesystem: the working directory /data and /tmp are emptyDirs.
    const mounts = (c!.volumeMounts as Json[]).map((m) => m.mountPath);
    expect(mounts).toEqual(expect.arrayContaining(['/data', '/tmp']));
    const cm = (c!.envFrom ?? []).map((e) => e.configMapRef?.name ?? e.secretRef?.name);
    expect(cm.some((n: string) => n.startsWith('netpeek-bot-config-'))).toBe(true);
    expect(cm).toContain('netpeek-secrets');
    // The reports ConfigMap reference was rewritten to the generated (hashed) name.
    const reports = (pod.volumes as Json[]).find((v) => v.name === 'reports');
    expect(objects.some((o) => o.kind === 'ConfigMap' && o.metadata?.name === reports?.configMap.name)).toBe(true);
  });

  it('the agent: a DaemonSet on every node, host network, node name from spec.nodeName, /readyz, no API token, no Slack secrets', () => {
    const ds = one(objects, 'DaemonSet', AGENT);
    const pod = ds.spec.template.spec;
    expect(pod.hostNetwork).toBe(true);
    expect(pod.dnsPolicy).toBe('ClusterFirstWithHostNet');
    expect(pod.tolerations).toContainEqual({ operator: 'Exists' });
    expect(pod.serviceAccountName).toBe(AGENT);
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(one(objects, 'ServiceAccount', AGENT).automountServiceAccountToken).toBe(false);
    const [c] = pod.containers as Container[];
    expect(c!.args).toEqual(['agent']);
    const env = Object.fromEntries((c!.env ?? []).map((e) => [e.name, e]));
    expect(env.NETPEEK_NODE_NAME.valueFrom.fieldRef.fieldPath).toBe('spec.nodeName');
    expect(env.NETPEEK_AGENT_LISTEN.value).toBe('$(HOST_IP):7070');
    expect(env.HOST_IP.valueFrom.fieldRef.fieldPath).toBe('status.hostIP');
    expect(env.NETPEEK_AGENT_SECRET.valueFrom.secretKeyRef.key).toBe('NETPEEK_AGENT_SECRET');
    expect((c!.envFrom ?? []).filter((e) => e.secretRef)).toEqual([]);
    expect(c!.readinessProbe).toMatchObject({ httpGet: { path: '/readyz', port: 'agent' } });
    expect(c!.ports).toContainEqual({ name: 'agent', containerPort: 7070, protocol: 'TCP' });
    const agentEnv = one(objects, 'ConfigMap', (c!.envFrom![0]!.configMapRef as Json).name).data;
    expect(agentEnv.NETPEEK_AGENT_ALLOW_CIDRS.split(',').length).toBeGreaterThan(0);
    expect(agentEnv.NETPEEK_AGENT_ALLOW_CIDRS).not.toMatch(/0\.0\.0\.0\/0|169\.254|127\./);
  });

  it('RBAC: read-only cluster access; writes only to the Lease and report-state ConfigMaps in netpeek; no secrets, no exec, no wildcards', () => {
    const roles = objects.filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole') as Json[];
    const WRITE = new Set(['create', 'update', 'patch', 'delete', 'deletecollection', 'escalate', 'bind', 'impersonate', 'approve', 'sign']);
    for (const role of roles) {
      for (const rule of role.rules as Json[]) {
        const where = `${role.kind}/${role.metadata.name} ${JSON.stringify(rule)}`;
        expect(rule.nonResourceURLs, where).toBeUndefined();
        for (const list of [rule.verbs, rule.resources, rule.apiGroups]) expect(list, where).not.toContain('*');
        expect(rule.resources, where).not.toContain('secrets');
        expect(rule.resources.filter((r: string) => r.includes('/')), where).toEqual([]); // no pods/exec, pods/attach, …/status
        const writes = (rule.verbs as string[]).filter((v) => WRITE.has(v));
        if (writes.length === 0) continue;
        expect(role.kind, where).toBe('Role');
        expect(role.metadata.namespace, where).toBe(NAMESPACE);
        const target = `${rule.apiGroups.join(',')}/${rule.resources.join(',')}`;
        expect(['coordination.k8s.io/leases', '/configmaps'], where).toContain(target);
        expect(writes.every((v) => v === 'create' || v === 'update'), where).toBe(true);
        // get/update are pinned to names; only create (which Kubernetes cannot pin) stands alone.
        if (!rule.resourceNames) expect(rule.verbs, where).toEqual(['create']);
      }
    }
    const read = one(objects, 'ClusterRole', 'netpeek-bot-read');
    const granted = (read.rules as Json[]).flatMap((r) => (r.resources as string[]).map((res) => `${r.apiGroups[0]}/${res}:${[...r.verbs].sort().join(',')}`));
    expect(granted.sort()).toEqual([
      '/namespaces:get,list,watch', '/nodes:get,list,watch', '/pods:get,list,watch', '/services:get,list,watch',
      'discovery.k8s.io/endpointslices:get,list,watch', 'networking.k8s.io/networkpolicies:get,list,watch',
    ]);

    const state = one(objects, 'Role', 'netpeek-bot-state');
    const leaseRule = (state.rules as Json[]).find((r) => r.resources[0] === 'leases' && r.resourceNames);
    expect(leaseRule).toMatchObject({ resourceNames: ['netpeek-reports-leader'], verbs: ['get', 'update'] });

    // Only the bot's ServiceAccount is bound, and only to these two roles; the agent's SA to nothing.
    const bindings = objects.filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding') as Json[];
    expect(bindings.map((b) => `${b.kind}/${b.roleRef.kind}/${b.roleRef.name}`).sort()).toEqual(['ClusterRoleBinding/ClusterRole/netpeek-bot-read', 'RoleBinding/Role/netpeek-bot-state']);
    for (const b of bindings) expect(b.subjects).toEqual([{ kind: 'ServiceAccount', name: BOT, namespace: NAMESPACE }]);
  });

  it('config/reports.yaml loads with netpeek\'s own definitions parser, and every report has its state ConfigMap named in the Role', () => {
    const loaded = parseDefinitions(readFileSync(join(DIR, 'config', 'reports.yaml'), 'utf8'), { file: 'deploy/kubernetes/config/reports.yaml' });
    expect(loaded.problems).toEqual([]);
    const reports = loaded.reports;
    expect(reports.length).toBeGreaterThan(0);
    const state = one(objects, 'Role', 'netpeek-bot-state');
    const names = (state.rules as Json[]).filter((r) => r.resources[0] === 'configmaps' && r.resourceNames).flatMap((r) => r.resourceNames as string[]);
    expect(names.sort()).toEqual(reports.map((r) => `netpeek-report-state-${r.name}`).sort());
    const rendered = objects.find((o) => o.kind === 'ConfigMap' && o.metadata?.name?.startsWith('netpeek-report-definitions-')) as Json;
    expect(parse(rendered.data['reports.yaml'])).toEqual(parse(readFileSync(join(DIR, 'config', 'reports.yaml'), 'utf8')));
  });

  it('every environment variable the manifests set is one netpeek reads, with a value it accepts', () => {
    // A misspelled variable would be ignored silently at run time; here it fails.
    const known = new Set([...Object.keys(ENV_SCHEMA.shape), ...Object.keys(REPORTS_ENV_SCHEMA.shape)]);
    const [secret] = parseObjects(readFileSync(join(DIR, 'secret.example.yaml'), 'utf8'));
    const secretValues = { SLACK_BOT_TOKEN: 'xoxb-1-2-test', SLACK_SIGNING_SECRET: 'test-signing-secret', NETPEEK_AGENT_SECRET: 'a'.repeat(32) };
    const configMapOf = (c: Container) => one(objects, 'ConfigMap', (c.envFrom ?? []).find((e) => e.configMapRef)!.configMapRef.name).data as Record<string, string>;

    const bot = one(objects, 'Deployment', BOT).spec.template.spec.containers[0] as Container;
    const botEnv = configMapOf(bot);
    const botNames = [...Object.keys(botEnv), ...Object.keys((secret as Json).stringData), ...(bot.env ?? []).map((e) => e.name as string)];
    expect(botNames.filter((n) => !known.has(n))).toEqual([]);
    const botParsed = ENV_SCHEMA.safeParse({ ...botEnv, ...secretValues });
    expect(botParsed.success ? [] : botParsed.error.issues).toEqual([]);
    const reportsParsed = REPORTS_ENV_SCHEMA.safeParse(botEnv);
    expect(reportsParsed.success ? reportsParsed.data.NETPEEK_REPORTS_FILE : reportsParsed.error.issues).toBe('/etc/netpeek/reports.yaml');

    const agent = one(objects, 'DaemonSet', AGENT).spec.template.spec.containers[0] as Container;
    const agentEnv = configMapOf(agent);
    const helpers = new Set(['HOST_IP']); // only used to build NETPEEK_AGENT_LISTEN
    const agentNames = [...Object.keys(agentEnv), ...(agent.env ?? []).map((e) => e.name as string)].filter((n) => !helpers.has(n));
    expect(agentNames.filter((n) => !known.has(n))).toEqual([]);
    // As the kubelet expands it: $(HOST_IP) → the node's address.
    const listen = (agent.env ?? []).find((e) => e.name === 'NETPEEK_AGENT_LISTEN')!.value.replace('$(HOST_IP)', '10.0.0.5');
    const config = loadAgentConfig({ ...agentEnv, NETPEEK_AGENT_LISTEN: listen, NETPEEK_NODE_NAME: 'node-1', NETPEEK_AGENT_SECRET: secretValues.NETPEEK_AGENT_SECRET });
    expect(config.listen).toEqual({ host: '10.0.0.5', port: 7070 });
    expect(config.allowCidrs).toEqual(agentEnv.NETPEEK_AGENT_ALLOW_CIDRS!.split(','));
  });

  it('the NetworkPolicy lets only bot pods reach the agent port', () => {
    const np = one(objects, 'NetworkPolicy', 'netpeek-agent-ingress');
    expect(np.spec.podSelector).toEqual({ matchLabels: { 'app.kubernetes.io/name': AGENT } });
    expect(np.spec.policyTypes).toEqual(['Ingress']);
    expect(np.spec.ingress).toEqual([{ from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': BOT } } }], ports: [{ protocol: 'TCP', port: 7070 }] }]);
    // The selectors really match the pods they mean.
    expect(one(objects, 'DaemonSet', AGENT).spec.template.metadata.labels['app.kubernetes.io/name']).toBe(AGENT);
    expect(one(objects, 'Deployment', BOT).spec.template.metadata.labels['app.kubernetes.io/name']).toBe(BOT);
  });
});

describeNeeding(['kubectl'], 'deploy/kubernetes-postgres: the base plus components/postgres', () => {
  let base: K8sObject[] = [];
  let objects: K8sObject[] = [];

  beforeAll(async () => {
    [base, objects] = await Promise.all([kustomize(DIR), kustomize(fileURLToPath(new URL('../../../deploy/kubernetes-postgres/', import.meta.url)))]);
  });

  const botOf = (objs: K8sObject[]) => one(objs, 'Deployment', BOT).spec.template.spec as Json;

  it('renders the same objects as the base, all schema-valid; only the bot Deployment differs', async () => {
    const names = (objs: K8sObject[]) => objs.map((o) => `${o.kind}/${o.metadata?.name}`).sort();
    expect(names(objects)).toEqual(names(base));
    expect(await validateAll(objects)).toEqual([]);
    for (const o of objects.filter((x) => !(x.kind === 'Deployment' && x.metadata?.name === BOT))) {
      expect(o, `${o.kind}/${o.metadata?.name}`).toEqual(base.find((b) => b.kind === o.kind && b.metadata?.name === o.metadata?.name));
    }
  });

  it('the database URL comes from a Secret, the password as a read-only file, TLS verified against the mounted CA', () => {
    const pod = botOf(objects);
    const c = (pod.containers as Container[])[0]!;
    const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value ?? e.valueFrom]));
    expect(env.NETPEEK_DATABASE_URL).toEqual({ secretKeyRef: { name: 'netpeek-database', key: 'url' } });
    expect(env).toMatchObject({ NETPEEK_DATABASE_PASSWORD_FILE: '/etc/netpeek-database/password', NETPEEK_DATABASE_SSL: 'verify-full', NETPEEK_DATABASE_CA_FILE: '/etc/netpeek-database/ca.crt' });
    expect(c.volumeMounts).toEqual(expect.arrayContaining([{ name: 'database', mountPath: '/etc/netpeek-database', readOnly: true }]));
    expect(pod.volumes).toEqual(expect.arrayContaining([{ name: 'database', secret: { secretName: 'netpeek-database', defaultMode: 0o400 } }]));
    // Every variable is one netpeek reads, with a value it accepts (the URL as the Secret would hold it).
    const known = new Set(Object.keys(ENV_SCHEMA.shape));
    expect(Object.keys(env).filter((n) => !known.has(n))).toEqual([]);
    const parsed = ENV_SCHEMA.safeParse({ ...env, NETPEEK_DATABASE_URL: 'postgres://netpeek@postgres.example.internal:5432/netpeek' });
    expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
    // No ConfigMap carries it: the URL may hold a password.
    for (const cm of objects.filter((o) => o.kind === 'ConfigMap')) expect(Object.keys((cm as Json).data ?? {})).not.toContain('NETPEEK_DATABASE_URL');
  });

  it('adds no privilege: the bot container keeps its securityContext, and RBAC is unchanged', () => {
    const [withDb] = botOf(objects).containers as Container[];
    const [plain] = botOf(base).containers as Container[];
    expect(withDb!.securityContext).toEqual(plain!.securityContext);
    expect(botOf(objects).securityContext).toEqual(botOf(base).securityContext);
  });

  it('the base says, in the manifest, that without a database the audit log and history are per pod and lost on restart', () => {
    const manifest = readFileSync(join(DIR, 'bot.yaml'), 'utf8');
    expect(manifest).toMatch(/WITHOUT A\s+#\s+DATABASE THEY ARE PER POD AND LOST ON EVERY RESTART OR ROLLOUT/);
    expect(readFileSync(join(DIR, 'README.md'), 'utf8')).toContain('the audit log and report history are per pod and lost on every restart or rollout');
  });
});

describeNeeding(['kubectl'], 'deploy/kubernetes-prometheus: the base plus components/prometheus (ServiceMonitor, PodMonitor)', () => {
  let base: K8sObject[] = [];
  let objects: K8sObject[] = [];

  beforeAll(async () => {
    [base, objects] = await Promise.all([kustomize(DIR), kustomize(fileURLToPath(new URL('../../../deploy/kubernetes-prometheus/', import.meta.url)))]);
  });

  it('adds exactly a ServiceMonitor, a PodMonitor and the metrics NetworkPolicy, schema-valid, in namespace netpeek; the rest is the base unchanged', async () => {
    const names = (objs: K8sObject[]) => objs.map((o) => `${o.kind}/${o.metadata?.name}`).sort();
    const added = names(objects).filter((n) => !names(base).includes(n));
    expect(added).toEqual(['NetworkPolicy/netpeek-agent-metrics-ingress', 'PodMonitor/netpeek-agent', 'ServiceMonitor/netpeek-bot']);
    expect(await validateAll(objects)).toEqual([]);
    for (const o of objects) expect(o.metadata?.namespace ?? NAMESPACE, `${o.kind}/${o.metadata?.name}`).toBe(NAMESPACE);
    for (const o of base) expect(objects.find((x) => x.kind === o.kind && x.metadata?.name === o.metadata?.name)).toEqual(o);
  });

  it('the ServiceMonitor selects the bot Service and scrapes a port it has at /metrics; the PodMonitor selects the agent pods and a port they declare', () => {
    const sm = one(objects, 'ServiceMonitor', BOT);
    const svc = one(objects, 'Service', BOT);
    for (const [k, v] of Object.entries(sm.spec.selector.matchLabels as Record<string, string>)) expect(svc.metadata.labels[k]).toBe(v);
    expect(sm.spec.endpoints).toEqual([expect.objectContaining({ port: 'http', path: '/metrics' })]);
    expect((svc.spec.ports as Json[]).map((p) => p.name)).toContain('http');

    const pm = one(objects, 'PodMonitor', AGENT);
    const ds = one(objects, 'DaemonSet', AGENT);
    for (const [k, v] of Object.entries(pm.spec.selector.matchLabels as Record<string, string>)) expect(ds.spec.template.metadata.labels[k]).toBe(v);
    expect(pm.spec.podMetricsEndpoints).toEqual([expect.objectContaining({ port: 'agent', path: '/metrics' })]);
    expect(containersOf(ds.spec.template.spec).flatMap((c) => c.ports ?? []).map((p) => p.name)).toContain('agent');
  });

  it('the validator checks the monitors against their CRD schema (a numeric interval is refused)', async () => {
    const sm = clone(one(objects, 'ServiceMonitor', BOT)) as K8sObject & Json;
    sm.spec.endpoints[0].interval = 30;
    expect(await validateObject(sm)).toContain('ServiceMonitor/netpeek-bot /spec/endpoints/0/interval: must be string {"type":"string"}');
  });

  it('adds no privilege: workloads and RBAC are the base\'s', () => {
    for (const kind of ['Deployment', 'DaemonSet', 'ClusterRole', 'Role', 'RoleBinding', 'ClusterRoleBinding']) {
      expect(objects.filter((o) => o.kind === kind)).toEqual(base.filter((o) => o.kind === kind));
    }
  });
});

describeNeeding(['kubectl'], 'deploy/kubernetes-workload-vantage: the base plus components/workload-vantage (agent: hostPID, four capabilities)', () => {
  const COMPONENT = fileURLToPath(new URL('../../../deploy/kubernetes/components/workload-vantage/', import.meta.url));
  let base: K8sObject[] = [];
  let objects: K8sObject[] = [];

  beforeAll(async () => {
    [base, objects] = await Promise.all([kustomize(DIR), kustomize(fileURLToPath(new URL('../../../deploy/kubernetes-workload-vantage/', import.meta.url)))]);
  });

  it('schema-valid; changes the agent DaemonSet only, adds no object and no RBAC', async () => {
    expect(await validateAll(objects)).toEqual([]);
    const names = (objs: K8sObject[]) => objs.map((o) => `${o.kind}/${o.metadata?.name}`).sort();
    expect(names(objects)).toEqual(names(base));
    for (const o of base) if (!(o.kind === 'DaemonSet' && o.metadata?.name === AGENT)) expect(objects.find((x) => x.kind === o.kind && x.metadata?.name === o.metadata?.name), `${o.kind}/${o.metadata?.name}`).toEqual(o);
  });

  it('the agent: hostPID, uid 0, exactly NET_RAW + SYS_ADMIN + SYS_PTRACE + DAC_READ_SEARCH, NETPEEK_AGENT_WORKLOAD_VANTAGE=1; still not privileged, read-only, RuntimeDefault', () => {
    const ds = one(objects, 'DaemonSet', AGENT);
    const pod = ds.spec.template.spec as Json;
    expect(pod.hostPID).toBe(true);
    expect(pod.hostIPC ?? false).toBe(false);
    expect(pod.hostNetwork).toBe(true);
    expect((pod.volumes ?? []).filter((v: Json) => v.hostPath)).toEqual([]);
    const [c, ...others] = containersOf(pod);
    expect(others).toEqual([]);
    expect(c!.securityContext?.capabilities).toEqual({ drop: ['ALL'], add: ['NET_RAW', 'SYS_ADMIN', 'SYS_PTRACE', 'DAC_READ_SEARCH'] });
    expect(c!.securityContext?.privileged ?? false).toBe(false);
    expect(c!.securityContext?.readOnlyRootFilesystem).toBe(true);
    expect(effective(pod, c!, 'runAsUser')).toBe(0);
    expect(effective(pod, c!, 'runAsNonRoot')).toBe(false);
    expect((effective(pod, c!, 'seccompProfile') as Json | undefined)?.type).toBe('RuntimeDefault');
    const env = (c!.env ?? []).filter((e) => e.name === 'NETPEEK_AGENT_WORKLOAD_VANTAGE');
    expect(env).toEqual([{ name: 'NETPEEK_AGENT_WORKLOAD_VANTAGE', value: '1' }]);
    // The agent's own schema reads it as on; the base's agent has it off.
    const baseAgent = containersOf(one(base, 'DaemonSet', AGENT).spec.template.spec)[0]!;
    expect((baseAgent.env ?? []).some((e) => e.name === 'NETPEEK_AGENT_WORKLOAD_VANTAGE')).toBe(false);
    expect(loadAgentConfig({ NETPEEK_AGENT_SECRET: 'x'.repeat(32), NETPEEK_AGENT_ALLOW_CIDRS: '10.0.0.0/8', NETPEEK_NODE_NAME: 'n', NETPEEK_AGENT_WORKLOAD_VANTAGE: '1' }).workloadVantage).toBe(true);
    // Everything else of the agent container is the base's.
    const strip = (x: Container) => ({ ...x, env: (x.env ?? []).filter((e) => e.name !== 'NETPEEK_AGENT_WORKLOAD_VANTAGE'), securityContext: { ...x.securityContext, capabilities: undefined, runAsNonRoot: undefined, runAsUser: undefined } });
    expect(strip(c!)).toEqual(strip(baseAgent));
  });

  it('each privilege has its purpose written next to it', () => {
    const patch = readFileSync(join(COMPONENT, 'agent-workload-vantage.yaml'), 'utf8');
    for (const [privilege, purpose] of [
      ['hostPID: true', /PID namespace/],
      ['- NET_RAW', /ICMP/],
      ['- SYS_ADMIN', /setns\(2\)/],
      ['- SYS_PTRACE', /ptrace read access/],
      ['- DAC_READ_SEARCH', /\/proc\/<pid>\/fd/],
      ['runAsNonRoot: false', /only effective for uid 0/],
    ] as const) {
      const lines = patch.split('\n');
      const at = lines.findIndex((l) => l.trim() === privilege);
      expect(at, privilege).toBeGreaterThan(0);
      // The comment block right above the line.
      let k = at - 1;
      const comment: string[] = [];
      while (k >= 0 && lines[k]!.trim().startsWith('#')) comment.unshift(lines[k--]!);
      expect(comment.join(' ').replace(/\s*#\s*/g, ' '), privilege).toMatch(purpose);
    }
    expect(parse(readFileSync(join(COMPONENT, 'kustomization.yaml'), 'utf8'))).toMatchObject({ kind: 'Component', patches: [{ target: { kind: 'DaemonSet', name: AGENT } }] });
  });
});
