/**
 * Threshold checks as data (lighthouse-ci's assertion shape). Scenarios call `assertMetric` from
 * their pure `check`; the runner applies the config's levels afterwards.
 */
import type { MetricValue, ThresholdResult } from '../src/report/types.ts';

type Operator = ThresholdResult['operator'];

const operators: Record<Operator, (actual: number | boolean, expected: number | boolean) => boolean> = {
  '<=': (a, e) => Number(a) <= Number(e),
  '<': (a, e) => Number(a) < Number(e),
  '>=': (a, e) => Number(a) >= Number(e),
  '>': (a, e) => Number(a) > Number(e),
  '==': (a, e) => a === e,
};

export interface AssertSpec {
  metric: string;
  operator: Operator;
  expected: number | boolean;
  /** What the check protects, for the message ("error rate", "lost writes"). */
  label: string;
  unit?: string;
}

export function assertMetric(metrics: Record<string, MetricValue>, spec: AssertSpec): ThresholdResult {
  const raw = metrics[spec.metric];
  const actual = typeof raw === 'number' || typeof raw === 'boolean' ? raw : null;
  const passed = actual !== null && operators[spec.operator](actual, spec.expected);
  const unit = spec.unit ?? '';
  const shown = actual === null ? 'not measured' : `${actual}${unit}`;
  const message = passed
    ? `${spec.label}: ${shown} (${spec.operator} ${spec.expected}${unit})`
    : `${spec.label}: ${shown}, expected ${spec.operator} ${spec.expected}${unit}`;
  return { metric: spec.metric, level: 'error', operator: spec.operator, expected: spec.expected, actual, passed, message };
}

/** Reads a numeric threshold, falling back to a default when it is missing or not a number. */
export function num(thresholds: Record<string, number | boolean>, key: string, fallback: number): number {
  const v = thresholds[key];
  return typeof v === 'number' ? v : fallback;
}

export function bool(thresholds: Record<string, number | boolean>, key: string, fallback: boolean): boolean {
  const v = thresholds[key];
  return typeof v === 'boolean' ? v : fallback;
}

/** `metrics[key]` as a number, 0 when absent. */
export function n(metrics: Record<string, MetricValue>, key: string): number {
  const v = metrics[key];
  return typeof v === 'number' ? v : 0;
}

export function pct(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 100;
}

/** A response body cut for evidence (never more than 300 chars). */
export function cut(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
