import type { IForbiddenRuleType } from 'dependency-cruiser';

/**
 * The layer rules of the design (DESIGN.md, "Data flows one way") as dependency-cruiser rules.
 * Paths are relative to the repository root. test/architecture/layers.test.ts runs them over src/ and
 * commands/ and fails the suite on any violation; it also shows each rule failing on a small fixture.
 */

/** Node built-ins that do I/O: src/net/ is pure knowledge and uses none of them. */
const IO_BUILTINS = '^(node:)?(fs|fs/promises|net|http|https|http2|dgram|dns|dns/promises|child_process|cluster|tls|os|readline|worker_threads)$';
/**
 * Libraries that talk to a backend (or to Slack). @slack/types is not one: it is Block Kit's type
 * definitions (no code), the renderer's output format.
 */
const BACKEND_LIBS = '^node_modules/(dockerode|@types/dockerode|@kubernetes/client-node|@slack/(?!types/)|better-sqlite3|pg)/';

export const LAYER_RULES: IForbiddenRuleType[] = [
  {
    name: 'no-cycles',
    comment: 'src/ and commands/ have no import cycles (type-only imports count: they couple the modules just the same).',
    severity: 'error',
    from: { path: '^(src|commands)/' },
    to: { circular: true },
  },
  {
    name: 'core-imports-nothing-above-it',
    comment: 'src/core/ (Query, Answer, Command, errors, registry) imports only itself and Node built-ins: no sources, probes, Slack, config or Deps.',
    severity: 'error',
    from: { path: '^src/core/' },
    to: { pathNot: '^src/core/', dependencyTypesNot: ['core'] },
  },
  {
    name: 'net-is-pure',
    comment: 'src/net/ is pure knowledge (CIDR math, ports, policies, sentences): it imports only src/core/, itself and address libraries, never I/O.',
    severity: 'error',
    from: { path: '^src/net/' },
    to: { pathNot: '^src/(net|core)/|^node_modules/ipaddr\\.js/' },
  },
  {
    name: 'net-does-no-io',
    severity: 'error',
    from: { path: '^src/net/' },
    to: { path: IO_BUILTINS },
  },
  {
    name: 'commands-never-touch-adapters',
    comment: 'commands/ never imports Slack, terminal or rendering code: they return Answers.',
    severity: 'error',
    from: { path: '^commands/' },
    to: { path: '^src/(slack|cli|render|start)/|^src/main\\.ts$|^node_modules/@slack/' },
  },
  {
    name: 'render-sees-only-answers',
    comment: 'src/render/ is a pure function of an Answer: no Docker or Kubernetes types, no sources or probes.',
    severity: 'error',
    from: { path: '^src/render/' },
    to: { path: '^src/(sources|probe|agent|slack|cli|reports|start)/|^src/(deps|config|main)\\.ts$|^node_modules/(dockerode|@types/dockerode|@kubernetes/)' },
  },
  {
    name: 'probe-client-never-imports-agent-server',
    comment: 'The probe client shares only the wire protocol (src/probe/request-signature.ts) with the agent; the agent server is a separate program.',
    severity: 'error',
    from: { path: '^src/probe/' },
    to: { path: '^src/agent/' },
  },
  {
    name: 'probe-never-imports-sources',
    comment: 'Probing gets placed subjects (src/probe/vantage.ts) handed to it; sources may use probe types, not the reverse.',
    severity: 'error',
    from: { path: '^src/probe/' },
    to: { path: '^src/sources/' },
  },
  {
    name: 'lower-layers-never-import-adapters',
    comment: 'core, net, sources, probe, render, reports and the agent never import the Slack or terminal adapters.',
    severity: 'error',
    from: { path: '^src/(core|net|sources|probe|render|reports|agent)/' },
    to: { path: '^src/(slack|cli|start)/' },
  },
  {
    name: 'deps-belong-to-the-composition-root',
    comment: 'Deps is defined in src/deps.ts; only commands and the adapters (Slack, terminal, main) use it. Lower layers take the one dependency they need.',
    severity: 'error',
    from: { path: '^src/(core|net|sources|probe|render|reports|agent)/' },
    to: { path: '^src/deps\\.ts$' },
  },
  {
    name: 'only-main-imports-the-command-list',
    comment: 'The composition root (src/main.ts and the modes it starts, src/start/) hands the registry to adapters; nothing else in src/ imports commands/.',
    severity: 'error',
    from: { path: '^src/', pathNot: '^src/(main\\.ts$|start/)' },
    to: { path: '^commands/' },
  },
  {
    name: 'config-fragments-do-not-import-the-whole',
    comment: 'config.ts merges the Slack, agent and reports schemas; those modules must not import config.ts back.',
    severity: 'error',
    from: { path: '^src/(slack|agent|reports)/' },
    to: { path: '^src/config\\.ts$' },
  },
  {
    name: 'backend-libraries-stay-in-their-layer',
    comment: 'Docker, Kubernetes and Slack client libraries are used by sources, the Slack adapter and reports, never by core, net or render.',
    severity: 'error',
    from: { path: '^src/(core|net|render)/' },
    to: { path: BACKEND_LIBS },
  },
];
