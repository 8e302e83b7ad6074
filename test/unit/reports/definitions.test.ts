import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatProblem, loadDefinitionsFile, parseDefinitions, parseHostPort } from '../../../src/reports/definitions.js';

const GOOD = `reports:
  - name: web
    schedule: "0 * * * *"
    channel: C0123ABCD
    targets:
      - pods: { namespace: default, selector: app=web }
`;

/** The problems of a file made of GOOD plus one more report, as "line field: message". */
function problemsOf(extra: string, opts: { knownChannels?: string[] } = {}) {
  const loaded = parseDefinitions(GOOD + extra, { file: 'reports.yaml', ...opts });
  return { names: loaded.reports.map((r) => r.name), problems: loaded.problems.map((p) => ({ line: p.line, field: p.field, message: p.message })) };
}

describe('report definitions', () => {
  it('reads a report with its defaults', () => {
    const { reports, problems } = parseDefinitions(GOOD);
    expect(problems).toEqual([]);
    expect(reports).toEqual([
      {
        name: 'web',
        schedule: '0 * * * *',
        timezone: 'UTC',
        channel: 'C0123ABCD',
        quiet: false,
        targets: [{ kind: 'pods', label: 'pods default app=web', namespace: 'default', selector: 'app=web' }],
        probes: ['icmp', 'tcp'],
        thresholds: { lossPct: 0 },
        timeoutMs: 1000,
        count: 1,
        line: 2,
      },
    ]);
  });

  it('reads every target kind', () => {
    const { reports, problems } = parseDefinitions(`reports:
  - name: all
    schedule: "@hourly"
    channel: G0123ABCD
    targets:
      - pods: { namespace: shop, selector: { matchLabels: { app: web } }, ports: [8080] }
      - service: { namespace: shop, name: web }
      - containers: { name: "web-*", label: "com.docker.compose.project=shop", network: backend }
      - nodes: { peers: 2, ports: [10250] }
      - nodes:
      - address: "[fd00::1]:443"
        from: docker-host
      - address: 10.96.0.10
`);
    expect(problems).toEqual([]);
    expect(reports[0]?.targets).toEqual([
      { kind: 'pods', label: 'pods shop app=web', namespace: 'shop', selector: 'app=web', ports: [8080] },
      { kind: 'service', label: 'service shop/web', namespace: 'shop', name: 'web' },
      { kind: 'containers', label: 'containers name=web-* label com.docker.compose.project=shop network=backend', name: 'web-*', labels: 'com.docker.compose.project=shop', network: 'backend' },
      { kind: 'nodes', label: 'nodes (2 peers each)', peers: 2, ports: [10250] },
      { kind: 'nodes', label: 'nodes (3 peers each)', peers: 3 },
      { kind: 'address', label: 'address [fd00::1]:443', ip: 'fd00::1', port: 443, from: 'docker-host' },
      { kind: 'address', label: 'address 10.96.0.10', ip: '10.96.0.10' },
    ]);
  });

  it('refuses a cron typo, naming the field and line, and keeps the other report', () => {
    const r = problemsOf(`  - name: typo
    schedule: "0 25 * * *"
    channel: C0123ABCD
    targets: [{ address: 10.0.0.1 }]
`);
    expect(r.names).toEqual(['web']);
    expect(r.problems).toEqual([{ line: 8, field: 'reports[1].schedule', message: expect.stringContaining('"0 25 * * *" is not a cron schedule: Invalid value for hour: 25') }]);
  });

  it('refuses an unknown channel (not an ID, a #name, or outside the allowed channels)', () => {
    expect(problemsOf(`  - name: bad-channel
    schedule: "0 * * * *"
    channel: "#netops"
    targets: [{ address: 10.0.0.1 }]
`).problems).toEqual([{ line: 9, field: 'reports[1].channel', message: expect.stringContaining("use the channel's ID") }]);
    expect(problemsOf(`  - name: bad-channel
    schedule: "0 * * * *"
    channel: C9999ZZZZ
    targets: [{ address: 10.0.0.1 }]
`, { knownChannels: ['C0123ABCD'] }).problems).toEqual([{ line: 9, field: 'reports[1].channel', message: 'unknown channel C9999ZZZZ: netpeek only posts in C0123ABCD (NETPEEK_SLACK_ALLOWED_CHANNELS)' }]);
  });

  it('refuses selector syntax errors at the selector', () => {
    expect(problemsOf(`  - name: bad-selector
    schedule: "0 * * * *"
    channel: C0123ABCD
    targets:
      - pods:
          namespace: default
          selector: "app in (web"
`).problems).toEqual([{ line: 13, field: 'reports[1].targets[0].pods.selector', message: expect.stringContaining('is not a label selector: unbalanced parentheses') }]);
  });

  it('names unknown fields, missing fields, bad values and duplicates with their lines', () => {
    const r = problemsOf(`  - name: web
    schedule: "0 * * * *"
    channel: C0123ABCD
    targets: [{ address: 10.0.0.1 }]
  - name: Bad_Name
    schedlue: "0 * * * *"
    channel: C0123ABCD
    targets:
      - pods: { namespace: default }
        service: { namespace: default, name: web }
      - address: 10.0.0.300:80
      - 10.0.0.1
    probes: [icmp, udp]
    thresholds: { latencyWarnMs: -5 }
`);
    expect(r.names).toEqual(['web']);
    expect(r.problems).toEqual([
      { line: 7, field: 'reports[1].name', message: 'a report named web is already defined on line 2' },
      { line: 11, field: 'reports[2].name', message: expect.stringContaining('must be lowercase letters') },
      { line: 11, field: 'reports[2].schedule', message: 'is required (a cron pattern such as "0 * * * *")' },
      { line: 15, field: 'reports[2].targets[0]', message: 'has pods and service; write one target per list entry' },
      { line: 17, field: 'reports[2].targets[1].address', message: expect.stringContaining('"10.0.0.300:80" is not an address') },
      { line: 18, field: 'reports[2].targets[2]', message: expect.stringContaining('must be a map') },
      { line: 19, field: 'reports[2].probes[1]', message: 'must be icmp, tcp or http' },
      { line: 20, field: 'reports[2].thresholds.latencyWarnMs', message: 'must be more than 0' },
      { line: 12, field: 'reports[2].schedlue', message: 'unknown field "schedlue"' },
    ]);
  });

  it('refuses the whole file when it is not YAML, with the line', () => {
    const { reports, problems } = parseDefinitions('reports:\n  - name: a\n    schedule: "0 * * * *\n', { file: 'x.yaml' });
    expect(reports).toEqual([]);
    expect(problems[0]).toMatchObject({ file: 'x.yaml', line: expect.any(Number), message: expect.stringContaining('not valid YAML') });
    expect(parseDefinitions('- name: a\n').problems[0]?.message).toContain('top-level `reports:` list');
  });

  it('formats a problem as file:line:column with the report and field', () => {
    const { problems } = parseDefinitions(GOOD.replace('C0123ABCD', 'nope'), { file: 'r.yaml' });
    expect(problems.map(formatProblem)).toEqual(['r.yaml:4:14: report web: reports[0].channel: "nope" is not a Slack channel ID (e.g. C0123ABCD)']);
  });

  it('a missing file is a problem, not a crash', async () => {
    const { reports, problems } = await loadDefinitionsFile('/nonexistent/reports.yaml');
    expect(reports).toEqual([]);
    expect(problems[0]?.message).toBe('the file does not exist (NETPEEK_REPORTS_FILE)');
  });

  it('the example in deploy/ and the Kubernetes config both load without problems', () => {
    for (const file of ['deploy/reports.example.yaml', 'deploy/kubernetes/config/reports.yaml']) {
      const { reports, problems } = parseDefinitions(readFileSync(file, 'utf8'), { file });
      expect(problems, file).toEqual([]);
      expect(reports.length, file).toBeGreaterThan(0);
    }
  });

  it('parses host:port forms', () => {
    expect(parseHostPort('10.0.0.1:80')).toEqual({ ip: '10.0.0.1', port: 80 });
    expect(parseHostPort('[::1]:80')).toEqual({ ip: '::1', port: 80 });
    expect(parseHostPort('fd00::1')).toEqual({ ip: 'fd00::1' });
    expect(parseHostPort('10.0.0.1:70000')).toEqual({ error: 'port 70000 in "10.0.0.1:70000" is not 1-65535' });
  });
});
