// A tiny metrics registry and the Prometheus text exposition format (version 0.0.4), by hand: counters
// kept in memory by the components that count, plus gauges a scrape computes on the spot.
export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  labels?: Labels;
  value: number;
}

export interface MetricFamily {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  samples: Sample[];
}

export interface Counter {
  /** Adds `by` (default 1; must be >= 0) to the series with these labels. */
  inc(labels?: Labels, by?: number): void;
  /** The current value of one series (0 when never counted). */
  get(labels?: Labels): number;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** A label value as the text format wants it: backslash, double quote and line feed escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function labelText(labels: Labels | undefined): string {
  const entries = Object.entries(labels ?? {});
  if (entries.length === 0) return '';
  for (const [k] of entries) if (!LABEL_NAME.test(k) || k.startsWith('__')) throw new Error(`metrics: label name '${k}' is not valid`);
  return `{${entries.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',')}}`;
}

/** Renders families in the text exposition format; every family gets its HELP and TYPE lines. */
export function renderMetrics(families: readonly MetricFamily[]): string {
  const out: string[] = [];
  for (const f of families) {
    if (!METRIC_NAME.test(f.name)) throw new Error(`metrics: metric name '${f.name}' is not valid`);
    out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) out.push(`${f.name}${labelText(s.labels)} ${formatValue(s.value)}`);
  }
  return `${out.join('\n')}\n`;
}

const seriesKey = (labels: Labels | undefined) =>
  JSON.stringify(
    Object.entries(labels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );

export class MetricsRegistry {
  private readonly families: Array<{ name: string; help: string; series: Map<string, Sample> }> = [];

  /**
   * A counter. `initial` lists label sets to expose as 0 before anything is counted, so a dashboard
   * sees every outcome from the first scrape.
   */
  counter(name: string, help: string, initial: readonly Labels[] = []): Counter {
    if (!METRIC_NAME.test(name)) throw new Error(`metrics: metric name '${name}' is not valid`);
    if (this.families.some((f) => f.name === name)) throw new Error(`metrics: ${name} is registered twice`);
    const series = new Map<string, Sample>();
    for (const labels of initial) series.set(seriesKey(labels), { labels: { ...labels }, value: 0 });
    this.families.push({ name, help, series });
    return {
      inc(labels, by = 1) {
        if (!(by >= 0)) throw new Error(`metrics: ${name} can only go up (got ${by})`);
        const key = seriesKey(labels);
        const s = series.get(key);
        if (s) s.value += by;
        else series.set(key, { ...(labels ? { labels: { ...labels } } : {}), value: by });
      },
      get: (labels) => series.get(seriesKey(labels))?.value ?? 0,
    };
  }

  /** Every counter with its series, in registration order. */
  collect(): MetricFamily[] {
    return this.families.map((f) => ({ name: f.name, help: f.help, type: 'counter', samples: [...f.series.values()].map((s) => ({ ...s })) }));
  }
}
