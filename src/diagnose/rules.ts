/**
 * Which threshold rules judge a scenario. One source of truth per scenario:
 * - a scenario the preset lists (src/report/presets/<name>.json) is judged by the preset's rules
 *   only: levels, operators and values live there, each with its reason;
 * - a scenario the preset does not list (one added since) keeps its own `check()` with its
 *   `defaultThresholds`, until it gets preset rules.
 * A target config adjusts either: `thresholds` by metric name (or by the scenario's own threshold
 * key, e.g. `maxP95Ms`, which is mapped to the metric its check reads it for) and `levels` by metric.
 */
import type { Scenario } from '../../scenarios/types.ts';
import type { TargetConfig } from '../config.ts';
import { UsageError } from '../errors.ts';
import { evaluate, loadPreset, withExpected, type PresetName, type ThresholdRule } from '../report/thresholds.ts';
import type { MetricValue, ThresholdResult } from '../report/types.ts';

export type Preset = Record<string, ThresholdRule[]>;
type Settings = TargetConfig['scenarios'][keyof TargetConfig['scenarios']];

export { loadPreset, type PresetName };

/** Config levels override the rules' levels, by metric. */
export function applyLevels(results: ThresholdResult[], levels: Record<string, ThresholdResult['level']>): ThresholdResult[] {
  return results.map((r) => ({ ...r, level: levels[r.metric] ?? r.level }));
}

/**
 * The metric a scenario's own threshold key sets, found by asking its pure `check` with a value
 * nothing else uses: no table to keep in step with the scenario.
 */
function metricsForKey(scenario: Scenario, key: string): string[] {
  const defaults = scenario.defaultThresholds ?? {};
  const current = defaults[key];
  const probe = typeof current === 'boolean' ? !current : (typeof current === 'number' ? current : 0) + 0.123456789;
  return scenario
    .check({}, { ...defaults, [key]: probe })
    .filter((r) => r.expected === probe)
    .map((r) => r.metric);
}

/** Config `thresholds` as expected values by metric name. */
export function expectedByMetric(scenario: Scenario, thresholds: Record<string, number | boolean>): Record<string, number | boolean> {
  const out: Record<string, number | boolean> = {};
  for (const [key, value] of Object.entries(thresholds)) {
    if (!(key in (scenario.defaultThresholds ?? {}))) {
      out[key] = value;
      continue;
    }
    const metrics = metricsForKey(scenario, key);
    if (metrics.length === 0) throw new UsageError(`scenarios.${scenario.id}.thresholds.${key}: no check of ${scenario.id} reads it`);
    for (const m of metrics) out[m] = value;
  }
  return out;
}

/** The preset's rules for this scenario with the config applied, or null when the preset does not list it. */
export function presetRules(scenario: Scenario, preset: Preset, settings: Settings | undefined): ThresholdRule[] | null {
  const base = preset[scenario.id];
  if (!base) return null;
  const levels = settings?.levels ?? {};
  return withExpected(base, expectedByMetric(scenario, settings?.thresholds ?? {})).map((r) => (levels[r.metric] ? { ...r, level: levels[r.metric]! } : r));
}

/** Judges measured metrics: the preset's rules when it lists the scenario, else the scenario's check. */
export function judge(scenario: Scenario, metrics: Record<string, MetricValue>, preset: Preset, settings: Settings | undefined): ThresholdResult[] {
  const rules = presetRules(scenario, preset, settings);
  if (rules) return evaluate(metrics, rules);
  const thresholds = { ...scenario.defaultThresholds, ...settings?.thresholds };
  return applyLevels(scenario.check(metrics, thresholds), settings?.levels ?? {});
}
