/**
 * `--runs N`: one report from N runs, so noise does not flip the gate. Pure.
 * - numbers: the median per metric (record metrics: per key); booleans: the majority (ties → the
 *   first run's value); strings and nulls: the first run's value.
 * - verdict: re-evaluated from the thresholds the runs recorded (same rule, median metrics), so a
 *   gate sees the same rule applied to steadier numbers. When a scenario recorded no thresholds,
 *   or most runs were skip/error (nothing measured), the majority verdict is used instead.
 * - timeline and evidence: from the run whose key metric is nearest the median, plus one
 *   evidence line listing every run's verdict.
 */
import { keyMetrics } from './metrics.ts';
import { evaluate, metricValue, rulesFromResults, toThresholdRecord, verdictFrom } from './thresholds.ts';
import type { MetricValue, Report, ScenarioReport, Verdict } from './types.ts';

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function majority<T>(values: T[]): T {
  const counts = new Map<T, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: T = values[0] as T;
  for (const [v, c] of counts) if (c > (counts.get(best) ?? 0)) best = v;
  return best;
}

function aggregateMetric(values: MetricValue[]): MetricValue {
  const present = values.filter((v) => v !== undefined);
  if (present.length > 0 && present.every((v) => typeof v === 'number')) return median(present as number[]);
  if (present.length > 0 && present.every((v) => typeof v === 'boolean')) return majority(present as boolean[]);
  if (present.length > 0 && present.every((v) => v !== null && typeof v === 'object')) {
    const records = present as Array<Record<string, number>>;
    const keys = new Set(records.flatMap((r) => Object.keys(r)));
    return Object.fromEntries([...keys].map((k) => [k, median(records.map((r) => r[k] ?? 0))]));
  }
  return present[0] ?? null;
}

function aggregateScenario(runs: ScenarioReport[], summarize?: (id: string, metrics: Record<string, MetricValue>) => string): ScenarioReport {
  const first = runs[0]!;
  const measured = runs.filter((r) => r.verdict === 'pass' || r.verdict === 'fail');
  const verdicts = runs.map((r) => r.verdict);
  if (measured.length * 2 <= runs.length) {
    // Most runs measured nothing: report the majority outcome of those runs as it was.
    const verdict = majority(verdicts);
    return { ...(runs.find((r) => r.verdict === verdict) ?? first), evidence: [...first.evidence, runsEvidence(verdicts)] };
  }
  const names = new Set(measured.flatMap((r) => Object.keys(r.metrics)));
  const metrics: Record<string, MetricValue> = {};
  for (const name of names) metrics[name] = aggregateMetric(measured.map((r) => r.metrics[name]!).filter((v) => v !== undefined));

  const rules = rulesFromResults(measured[0]!.thresholds);
  const results = evaluate(metrics, rules);
  const verdict: Verdict = rules.length > 0 ? verdictFrom(results) : majority(measured.map((r) => r.verdict));

  const key = keyMetrics(measured[0]!)[0];
  const distance = (r: ScenarioReport) => {
    const v = key ? metricValue(r.metrics, key) : null;
    const m = key ? metricValue(metrics, key) : null;
    return typeof v === 'number' && typeof m === 'number' ? Math.abs(v - m) : 0;
  };
  const representative = [...measured].sort((a, b) => distance(a) - distance(b))[0]!;

  return {
    id: first.id,
    title: first.title,
    verdict,
    summary: summarize ? summarize(first.id, metrics) : `Median of ${runs.length} runs. ${representative.summary}`,
    metrics,
    thresholds: rules.length > 0 ? toThresholdRecord(results) : representative.thresholds,
    evidence: [...representative.evidence, runsEvidence(verdicts)],
    ...(representative.timeline ? { timeline: representative.timeline } : {}),
    durationMs: median(runs.map((r) => r.durationMs)),
  };
}

function runsEvidence(verdicts: Verdict[]) {
  return { kind: 'runs', message: `${verdicts.length} runs, verdicts: ${verdicts.join(', ')}; metrics are medians, the verdict is re-evaluated from them.` };
}

export function aggregateRuns(reports: Report[], opts: { summarize?: (id: string, metrics: Record<string, MetricValue>) => string } = {}): Report {
  if (reports.length === 0) throw new Error('aggregateRuns needs at least one report');
  if (reports.length === 1) return reports[0]!;
  const first = reports[0]!;
  const ids = [...new Set(reports.flatMap((r) => r.scenarios.map((s) => s.id)))];
  const scenarios = ids.map((id) => aggregateScenario(reports.flatMap((r) => r.scenarios.filter((s) => s.id === id)), opts.summarize));
  return {
    ...first,
    durationMs: reports.reduce((sum, r) => sum + r.durationMs, 0),
    scenarios,
    ...(reports.some((r) => r.partial) ? { partial: true } : {}),
  };
}
