import { createRequire } from 'node:module';

/**
 * Prometheus text exposition parsed by parse-prometheus-text-format (an independent parser, so a
 * malformed exposition fails the test instead of being read back by the code that wrote it).
 */
export interface Sample {
  labels?: Record<string, string>;
  value?: string;
  count?: string;
  sum?: string;
  buckets?: Record<string, string>;
}
export interface Family {
  name: string;
  help: string;
  type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
  metrics: Sample[];
}

const parse = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => Family[];

export function parseMetrics(text: string): Map<string, Family> {
  return new Map(parse(text).map((f) => [f.name, f]));
}

/** The sample of `family` whose labels include all of `labels` (undefined when none). */
export function sample(families: Map<string, Family>, family: string, labels: Record<string, string> = {}): Sample | undefined {
  return families.get(family)?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
}

/**
 * The buckets of one series of a labelled histogram. parse-prometheus-text-format folds every series of
 * a histogram family into one (it keys buckets by `le` alone), so the family's lines are narrowed to the
 * series first; the parser still checks their syntax.
 */
export function histogramBuckets(text: string, family: string, labels: Record<string, string>): Record<string, string> | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const lines = text.split('\n').filter((l) => l.startsWith(`# HELP ${family} `) || l.startsWith(`# TYPE ${family} `) || (l.startsWith(`${family}_bucket{`) && wanted.every((w) => l.includes(w))));
  return parseMetrics(lines.join('\n') + '\n').get(family)?.metrics[0]?.buckets;
}

export async function scrape(url: string): Promise<{ contentType: string; text: string; families: Map<string, Family> }> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`GET ${url}: HTTP ${res.status}`);
  const text = await res.text();
  return { contentType: res.headers.get('content-type') ?? '', text, families: parseMetrics(text) };
}
