/**
 * Verdicts are data (lighthouse-ci style): a rule names a metric, a level and an operator from one
 * table; presets are JSON files. Only an error-level failure turns a scenario's verdict to fail.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.ts';
import type { MetricValue, ThresholdResult } from './types.ts';

export type Operator = '<=' | '<' | '>=' | '>' | '==';
export type Level = ThresholdResult['level'];

export interface ThresholdRule {
  /** A metric name, or `parent.key` for one entry of a record metric such as `errorsByClass.timeout`. */
  metric: string;
  level: Level;
  operator: Operator;
  expected: number | boolean;
  message?: string;
  /** Why the level is what it is; kept in the preset files, not in results. */
  why?: string;
  /** Skip the rule when the metric was not measured (e.g. database metrics without --database-url). */
  whenPresent?: boolean;
}

export const operators: Record<Operator, (actual: number | boolean, expected: number | boolean) => boolean> = {
  '<=': (a, e) => typeof a === 'number' && typeof e === 'number' && a <= e,
  '<': (a, e) => typeof a === 'number' && typeof e === 'number' && a < e,
  '>=': (a, e) => typeof a === 'number' && typeof e === 'number' && a >= e,
  '>': (a, e) => typeof a === 'number' && typeof e === 'number' && a > e,
  '==': (a, e) => a === e,
};

/** Reads `name` or `parent.key` from a metrics object; anything not a number or boolean is null. */
export function metricValue(metrics: Record<string, MetricValue>, metric: string): number | boolean | null {
  let value: unknown = metrics[metric];
  if (value === undefined && metric.includes('.')) {
    const dot = metric.indexOf('.');
    const parent = metrics[metric.slice(0, dot)];
    if (parent && typeof parent === 'object') value = (parent as Record<string, number>)[metric.slice(dot + 1)];
  }
  return typeof value === 'number' || typeof value === 'boolean' ? value : null;
}

function describe(value: number | boolean | null): string {
  if (value === null) return 'not measured';
  return typeof value === 'boolean' ? (value ? 'yes' : 'no') : String(Math.round(value * 100) / 100);
}

export function evaluate(metrics: Record<string, MetricValue>, rules: ThresholdRule[]): ThresholdResult[] {
  const results: ThresholdResult[] = [];
  for (const rule of rules) {
    if (rule.level === 'off') continue;
    const actual = metricValue(metrics, rule.metric);
    if (actual === null && rule.whenPresent) continue;
    const passed = actual !== null && operators[rule.operator](actual, rule.expected);
    const message =
      rule.message ??
      `${rule.metric} is ${describe(actual)}, expected ${rule.operator} ${describe(rule.expected)}`;
    results.push({ metric: rule.metric, level: rule.level, operator: rule.operator, expected: rule.expected, actual, passed, message });
  }
  return results;
}

export function verdictFrom(results: ThresholdResult[]): 'pass' | 'fail' {
  return results.some((r) => r.level === 'error' && !r.passed) ? 'fail' : 'pass';
}

/** ScenarioReport.thresholds is keyed by metric; a second rule on the same metric gets its operator appended. */
export function toThresholdRecord(results: ThresholdResult[]): Record<string, ThresholdResult> {
  const out: Record<string, ThresholdResult> = {};
  for (const r of results) out[r.metric in out ? `${r.metric} ${r.operator}` : r.metric] = r;
  return out;
}

/** The rules a report recorded, so a verdict can be recomputed from other metrics (aggregation). */
export function rulesFromResults(results: Record<string, ThresholdResult>): ThresholdRule[] {
  return Object.values(results).map(({ metric, level, operator, expected }) => ({ metric, level, operator, expected }));
}

// ---- presets -------------------------------------------------------------------------------------

export const presetNames = ['default', 'strict'] as const;
export type PresetName = (typeof presetNames)[number];

interface PresetFile {
  extends?: PresetName;
  scenarios: Record<string, ThresholdRule[]>;
}

function readPreset(name: string): PresetFile {
  const url = new URL(`./presets/${name}.json`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as PresetFile;
}

/**
 * Per scenario id, the rules of a preset. A preset that `extends` another replaces the base's
 * rules metric by metric (same metric + operator) and keeps the rest.
 */
export function loadPreset(name: string = 'default'): Record<string, ThresholdRule[]> {
  if (!(presetNames as readonly string[]).includes(name)) {
    throw new UsageError(`unknown threshold preset "${name}", choose one of: ${presetNames.join(', ')}`);
  }
  const file = readPreset(name);
  const base = file.extends ? loadPreset(file.extends) : {};
  const out: Record<string, ThresholdRule[]> = {};
  for (const id of new Set([...Object.keys(base), ...Object.keys(file.scenarios)])) {
    out[id] = mergeRules(base[id] ?? [], file.scenarios[id] ?? []);
  }
  return out;
}

/** Overrides replace rules with the same metric and operator; new ones are appended. */
export function mergeRules(base: ThresholdRule[], overrides: ThresholdRule[]): ThresholdRule[] {
  const key = (r: ThresholdRule) => `${r.metric} ${r.operator}`;
  const replaced = new Map(overrides.map((r) => [key(r), r]));
  const merged = base.map((r) => replaced.get(key(r)) ?? r);
  const seen = new Set(base.map(key));
  return [...merged, ...overrides.filter((r) => !seen.has(key(r)))];
}
