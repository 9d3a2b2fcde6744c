/**
 * Which threshold rules judge a scenario: the preset's (src/report/presets/<name>.json), the one
 * source of truth read by diagnose, aggregation and `export artillery` alike. Scenarios only
 * measure. A target config adjusts a rule by naming its metric: `thresholds` sets the expected
 * value, `levels` the level. A name no rule reads is a usage error, so a typo cannot silently leave
 * a rule at its default.
 */
import type { TargetConfig } from '../config.ts';
import { UsageError } from '../errors.ts';
import { evaluate, loadPreset, type PresetName, type ThresholdRule } from '../report/thresholds.ts';
import type { MetricValue, ThresholdResult } from '../report/types.ts';

export type Preset = Record<string, ThresholdRule[]>;
type Settings = TargetConfig['scenarios'][keyof TargetConfig['scenarios']];

export { loadPreset, type PresetName };

function unknownMetric(id: string, field: 'thresholds' | 'levels', key: string, rules: ThresholdRule[]): UsageError {
  const metrics = [...new Set(rules.map((r) => r.metric))];
  return new UsageError(
    `scenarios.${id}.${field}.${key}: no rule of ${id} reads the metric "${key}"`,
    metrics.length ? `name one of: ${metrics.join(', ')}` : `the preset has no rule for ${id}`,
  );
}

/** The preset's rules for a scenario with the target config's expected values and levels applied. */
export function rulesFor(id: string, preset: Preset, settings: Settings | undefined): ThresholdRule[] {
  const rules = preset[id] ?? [];
  const thresholds = settings?.thresholds ?? {};
  const levels = settings?.levels ?? {};
  for (const [field, record] of [['thresholds', thresholds], ['levels', levels]] as const) {
    for (const key of Object.keys(record)) if (!rules.some((r) => r.metric === key)) throw unknownMetric(id, field, key, rules);
  }
  for (const [metric, value] of Object.entries(thresholds)) {
    const rule = rules.find((r) => r.metric === metric)!;
    if (typeof value !== typeof rule.expected) {
      throw new UsageError(`scenarios.${id}.thresholds.${metric}: expected a ${typeof rule.expected} (the rule is ${metric} ${rule.operator} ${rule.expected}), got ${JSON.stringify(value)}`);
    }
  }
  return rules.map((r) => ({
    ...r,
    ...(r.metric in thresholds ? { expected: thresholds[r.metric]! } : {}),
    ...(r.metric in levels ? { level: levels[r.metric]! } : {}),
  }));
}

/** Judges measured metrics by the rules for the scenario. */
export function judge(id: string, metrics: Record<string, MetricValue>, preset: Preset, settings: Settings | undefined): ThresholdResult[] {
  return evaluate(metrics, rulesFor(id, preset, settings));
}
