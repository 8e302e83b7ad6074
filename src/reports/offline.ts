import type { ProbeService } from '../probe/vantage.js';
import { UserError } from '../core/errors.js';
import { findDefinition, listReports, runReportNow, type ReportCatalog, type ReportListing, type ReportView } from './catalog.js';
import { loadDefinitionsFile, type LoadedDefinitions } from './definitions.js';
import type { ReportHistory } from './history.js';
import type { ReportsConfig } from './report-config.js';
import type { TargetSources } from './targets.js';

/** What a report run probes with: the sources that place its targets and the probe service. */
export type ReportBackends = TargetSources & { probes?: ProbeService };

/** Opens the stored history for one question, when there is one to read; closed after it. */
export type OpenHistory = () => Promise<(ReportHistory & { close(): void }) | undefined>;

/**
 * Reports without the scheduler, for a terminal (`netpeek report`, `netpeek report <name> --once`):
 * definitions from NETPEEK_REPORTS_FILE, last verdicts from the history the composition root opens
 * (src/deps.ts: the local history file when it exists, never created), probes through the same sources
 * and agents as every other command.
 */
export class OfflineReports implements ReportCatalog {
  constructor(
    private readonly config: ReportsConfig,
    private readonly deps: ReportBackends,
    private readonly knownChannels: readonly string[] = [],
    private readonly openHistory: OpenHistory = async () => undefined,
  ) {}

  private definitions(): Promise<LoadedDefinitions> {
    const file = this.config.file;
    if (!file) throw new UserError('No reports are defined here: NETPEEK_REPORTS_FILE is not set.', ['Point NETPEEK_REPORTS_FILE at a YAML file like deploy/reports.example.yaml.'], 'not_found');
    return loadDefinitionsFile(file, { knownChannels: this.knownChannels });
  }

  private async withHistory<T>(use: (h: ReportHistory | undefined) => Promise<T>): Promise<T> {
    const h = await this.openHistory();
    try {
      return await use(h);
    } finally {
      h?.close();
    }
  }

  async list(): Promise<ReportListing> {
    const defs = await this.definitions();
    const reports = await this.withHistory((h) => listReports(defs.reports, h));
    return { ...(this.config.file ? { file: this.config.file } : {}), reports, problems: defs.problems, runner: 'not-running' };
  }

  async runNow(name: string, signal?: AbortSignal): Promise<ReportView> {
    const defs = await this.definitions();
    const def = findDefinition(name, defs.reports, defs.problems, this.config.file);
    const sources = { ...(this.deps.kube ? { kube: this.deps.kube } : {}), ...(this.deps.docker ? { docker: this.deps.docker } : {}) };
    return this.withHistory((h) => runReportNow(def, { sources, ...(this.deps.probes ? { probes: this.deps.probes } : {}), caps: { batchSize: this.config.batchSize }, ...(signal ? { signal } : {}) }, h));
  }
}
