import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import { afterAll, describe, expect, it } from 'vitest';
import { LAYER_RULES } from './layer-rules.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Tsconfig as dependency-cruiser needs it to map NodeNext `./x.js` imports onto `./x.ts`. */
const TS_CONFIG = { compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', allowJs: false } };

interface Violation {
  rule: string;
  from: string;
  to: string;
}

/** Runs the layer rules over `paths` under `baseDir` (type-only imports included). */
async function violations(baseDir: string, paths: string[]): Promise<Violation[]> {
  const result = await cruise(
    paths,
    {
      baseDir,
      validate: true,
      ruleSet: { forbidden: LAYER_RULES },
      tsPreCompilationDeps: true,
      doNotFollow: { path: 'node_modules' },
      exclude: { path: '\\.d\\.ts$' },
      enhancedResolveOptions: { extensions: ['.ts', '.js'] },
    },
    undefined,
    { tsConfig: TS_CONFIG },
  );
  const output = result.output as ICruiseResult;
  return output.summary.violations.map((v) => ({ rule: v.rule.name, from: v.from, to: v.cycle?.map((c) => c.name).join(' → ') ?? v.to }));
}

describe('architecture: layers point one way (DESIGN.md, enforced with dependency-cruiser)', () => {
  it('src/ and commands/ break none of the layer rules and have no cycles', async () => {
    const found = await violations(ROOT, ['src', 'commands']);
    expect(found).toEqual([]);
  }, 120_000);
});

/** A small tree of files, written to a temp dir, to show each rule catching the import it forbids. */
function fixture(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'netpeek-arch-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, dirname(path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  made.push(dir);
  return dir;
}
const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

describe('architecture: each forbidden import fails the check', () => {
  const CASES: { rule: string; files: Record<string, string>; from: string }[] = [
    {
      // The import issue 11 started from: core/command.ts typing Deps with Config and the sources.
      rule: 'core-imports-nothing-above-it',
      files: { 'src/core/command.ts': "import type { Config } from '../config.js';\nexport type C = Config;\n", 'src/config.ts': 'export interface Config { a: 1 }\n' },
      from: 'src/core/command.ts',
    },
    {
      rule: 'commands-never-touch-adapters',
      files: { 'commands/pod.ts': "import { send } from '../src/slack/delivery.js';\nexport const x = send;\n", 'src/slack/delivery.ts': 'export const send = 1;\n' },
      from: 'commands/pod.ts',
    },
    {
      rule: 'render-sees-only-answers',
      files: { 'src/render/blocks.ts': "import type { DockerSource } from '../sources/docker.js';\nexport type D = DockerSource;\n", 'src/sources/docker.ts': 'export interface DockerSource { a: 1 }\n' },
      from: 'src/render/blocks.ts',
    },
    {
      rule: 'net-does-no-io',
      files: { 'src/net/subnet.ts': "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n" },
      from: 'src/net/subnet.ts',
    },
    {
      rule: 'probe-client-never-imports-agent-server',
      files: { 'src/probe/agent-client.ts': "import { signRequest } from '../agent/signing.js';\nexport const s = signRequest;\n", 'src/agent/signing.ts': 'export const signRequest = 1;\n' },
      from: 'src/probe/agent-client.ts',
    },
    {
      // The cycle issue 11 named: core/command.ts → sources/probe-targets.ts → sources/docker-lookup.ts → core/command.ts.
      rule: 'core-imports-nothing-above-it',
      files: {
        'src/core/command.ts': "import type { ProbeResolvers } from '../sources/probe-targets.js';\nexport type Deps = { r: ProbeResolvers };\n",
        'src/sources/probe-targets.ts': "import type { Found } from './docker-lookup.js';\nexport type ProbeResolvers = { f: Found };\n",
        'src/sources/docker-lookup.ts': "import type { Deps } from '../core/command.js';\nexport type Found = { d?: Deps };\n",
      },
      from: 'src/core/command.ts',
    },
    {
      rule: 'no-cycles',
      files: {
        'src/core/command.ts': "import type { ProbeResolvers } from '../sources/probe-targets.js';\nexport type Deps = { r: ProbeResolvers };\n",
        'src/sources/probe-targets.ts': "import type { Found } from './docker-lookup.js';\nexport type ProbeResolvers = { f: Found };\n",
        'src/sources/docker-lookup.ts': "import type { Deps } from '../core/command.js';\nexport type Found = { d?: Deps };\n",
      },
      from: 'src/core/command.ts',
    },
    {
      // sources ↔ probe: the probe layer reaching back for a source's subject type.
      rule: 'probe-never-imports-sources',
      files: { 'src/probe/vantage.ts': "import type { Placed } from '../sources/probe-targets.js';\nexport type V = Placed;\n", 'src/sources/probe-targets.ts': "import type { V } from '../probe/vantage.js';\nexport type Placed = { v?: V };\n" },
      from: 'src/probe/vantage.ts',
    },
    {
      // config ↔ slack: a config fragment importing the merged Config back.
      rule: 'config-fragments-do-not-import-the-whole',
      files: { 'src/slack/slack-config.ts': "import type { Config } from '../config.js';\nexport type S = Config;\n", 'src/config.ts': "import type { S } from './slack/slack-config.js';\nexport interface Config { s?: S }\n" },
      from: 'src/slack/slack-config.ts',
    },
    {
      // agent signing ↔ replay cache.
      rule: 'no-cycles',
      files: { 'src/agent/signing.ts': "import { ReplayCache } from './replay-cache.js';\nexport const sign = () => new ReplayCache();\n", 'src/agent/replay-cache.ts': "import type { sign } from './signing.js';\nexport class ReplayCache { s?: typeof sign }\n" },
      from: 'src/agent/replay-cache.ts',
    },
    {
      // Report delivery importing the Slack adapter's retry module: the poster is handed in instead.
      rule: 'lower-layers-never-import-adapters',
      files: { 'src/reports/slack-poster.ts': "import { deliver } from '../slack/delivery.js';\nexport const d = deliver;\n", 'src/slack/delivery.ts': 'export const deliver = 1;\n' },
      from: 'src/reports/slack-poster.ts',
    },
    {
      rule: 'net-is-pure',
      files: { 'src/net/explain-docker.ts': "import type { DockerSource } from '../sources/docker.js';\nexport type D = DockerSource;\n", 'src/sources/docker.ts': 'export interface DockerSource { a: 1 }\n' },
      from: 'src/net/explain-docker.ts',
    },
    {
      rule: 'no-cycles',
      files: { 'src/reports/catalog.ts': "import type { V } from './render.js';\nexport type L = { v: V };\n", 'src/reports/render.ts': "import type { L } from './catalog.js';\nexport type V = { l?: L };\n" },
      from: 'src/reports/catalog.ts',
    },
  ];

  it.each(CASES)('$rule refuses $from', async ({ rule, files, from }) => {
    const dir = fixture(files);
    const found = await violations(dir, Object.keys(files).map((f) => f.split('/')[0]!).filter((v, i, a) => a.indexOf(v) === i));
    expect(found.map((v) => v.rule)).toContain(rule);
    expect(found.filter((v) => v.rule === rule).map((v) => v.from)).toContain(from);
  }, 60_000);
});
