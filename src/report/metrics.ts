/**
 * What a metric means for comparison (which direction is better, how much noise is tolerated) and
 * which figure sums up each scenario. Directions and tolerances are data: presets/tolerances.json.
 */
import { readFileSync } from 'node:fs';
import type { MetricValue, ScenarioReport } from './types.ts';

export type Better = 'lower' | 'higher' | 'none';
export interface Tolerance { better: Better; pct: number; abs: number }

interface ToleranceFile {
  default: { pct: number; abs: number };
  metrics: Record<string, { better: Better; pct?: number; abs?: number }>;
}

const tolerances = JSON.parse(
  readFileSync(new URL('./presets/tolerances.json', import.meta.url), 'utf8'),
) as ToleranceFile;

const lowerByName = /(Ms$|error|fail|lost|truncat|blocked|timeout|5xx|429)/i;

/** `errorsByClass.timeout` takes its direction from its parent `errorsByClass`. */
export function toleranceFor(metric: string, overridesPct: Record<string, number> = {}): Tolerance {
  const entry = tolerances.metrics[metric];
  const parent = metric.includes('.') ? metric.slice(0, metric.indexOf('.')) : metric;
  const better: Better = entry?.better ?? (lowerByName.test(parent) ? 'lower' : 'none');
  const pct = overridesPct[metric] ?? entry?.pct ?? tolerances.default.pct;
  const abs = metric in overridesPct ? 0 : (entry?.abs ?? tolerances.default.abs);
  return { better, pct, abs };
}

/** Record metrics become one entry per key (`errorsByClass.timeout`), so each can be compared. */
export function flattenMetrics(metrics: Record<string, MetricValue>): Record<string, number | string | boolean | null> {
  const out: Record<string, number | string | boolean | null> = {};
  for (const [name, value] of Object.entries(metrics)) {
    if (value !== null && typeof value === 'object') {
      for (const [key, v] of Object.entries(value)) out[`${name}.${key}`] = v;
    } else {
      out[name] = value;
    }
  }
  return out;
}

export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '–';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return String(value);
    const rounded = Math.abs(value) >= 100 ? Math.round(value) : Math.round(value * 10) / 10;
    return rounded.toLocaleString('en-US');
  }
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>).map(([k, v]) => `${k} ${formatValue(v)}`).join(', ');
  }
  return String(value);
}

/** Adds the unit the metric name carries. */
export function formatMetric(metric: string, value: unknown): string {
  const text = formatValue(value);
  if (typeof value !== 'number') return text;
  if (/Ms$/.test(metric)) return `${text} ms`;
  if (/Pct$/.test(metric)) return `${text} %`;
  if (/Bytes$/.test(metric)) return `${text} B`;
  return text;
}

interface ScenarioFigures {
  /** The metrics a before/after view shows first. */
  key: string[];
  /** One short line: the number a reader needs. */
  figure(m: Record<string, MetricValue>): string;
}

const n = (m: Record<string, MetricValue>, k: string) => formatValue(m[k]);

export const scenarioFigures: Record<string, ScenarioFigures> = {
  'pool-exhaustion': {
    key: ['errorRatePct', 'p95Ms', 'p99Ms', 'peakAppConnections'],
    figure: (m) => `${n(m, 'errors')} of ${n(m, 'requests')} requests failed (${n(m, 'errorRatePct')} %), p95 ${n(m, 'p95Ms')} ms`,
  },
  'gemini-429': {
    key: ['aiFailureRatePct', 'ttftP95Ms', 'totalP95Ms'],
    figure: (m) => `${n(m, 'aiFailures')} of ${n(m, 'chats')} chats failed (${n(m, 'aiFailureRatePct')} %), first token p95 ${n(m, 'ttftP95Ms')} ms`,
  },
  'lost-update': {
    key: ['lost', 'rejected', 'reflected'],
    figure: (m) => `${n(m, 'lost')} of ${n(m, 'acknowledged')} acknowledged writes lost, ${n(m, 'rejected')} rejected (409)`,
  },
  'buffer-truncation': {
    key: ['truncated', 'complete', 'receivedChars'],
    figure: (m) => `${n(m, 'truncated')} of ${n(m, 'streams')} streams truncated, ${n(m, 'receivedChars')} of ${n(m, 'expectedChars')} chars received`,
  },
  'shared-ip-login': {
    key: ['legitBlocked', 'bruteForceLimited'],
    figure: (m) => `${n(m, 'legitBlocked')} of ${n(m, 'users')} passengers blocked, brute force limited: ${n(m, 'bruteForceLimited')}`,
  },
  'cache-effectiveness': {
    key: ['xactPerChat', 'chatP50Ms', 'chatP95Ms'],
    figure: (m) => `${n(m, 'xactPerChat')} database transactions per chat over ${n(m, 'chats')} chats`,
  },
  'upload-memory': {
    key: ['rssGrowthBytes', 'rssPerUploadRatio', 'errors', 'p95Ms'],
    figure: (m) => `${n(m, 'ok')} of ${n(m, 'uploads')} uploads ok, p95 ${n(m, 'p95Ms')} ms, RSS growth per upload ${n(m, 'rssPerUploadRatio')} × file size`,
  },
  'session-id': {
    key: ['duplicates', 'entropyBits', 'structureFound'],
    figure: (m) => `${n(m, 'sessions')} ids, ${n(m, 'duplicates')} duplicates, ~${n(m, 'entropyBits')} bits, shape ${n(m, 'shape')}`,
  },
};

export function keyMetrics(scenario: ScenarioReport): string[] {
  const known = scenarioFigures[scenario.id]?.key.filter((k) => k in scenario.metrics);
  if (known && known.length > 0) return known;
  return Object.keys(flattenMetrics(scenario.metrics))
    .filter((k) => toleranceFor(k).better !== 'none')
    .slice(0, 4);
}

export function keyFigure(scenario: ScenarioReport): string {
  if (scenario.verdict === 'skip' || scenario.verdict === 'error') return scenario.summary;
  const known = scenarioFigures[scenario.id];
  if (known && known.key.some((k) => k in scenario.metrics)) return known.figure(scenario.metrics);
  return keyMetrics(scenario).map((k) => `${k} ${formatMetric(k, flattenMetrics(scenario.metrics)[k])}`).join(', ');
}
