/**
 * The shape of report.json (DESIGN.md "Report files"). Units are in the metric names
 * (`…Ms` milliseconds, `…Bytes` bytes, `…Pct` percent 0–100); counts are plain integers.
 */
export type Verdict = 'pass' | 'fail' | 'error' | 'skip';

export type MetricValue = number | string | boolean | null | Record<string, number>;

/** One threshold check, lighthouse-ci style: verdicts are data, not code. */
export interface ThresholdResult {
  metric: string;
  level: 'off' | 'warn' | 'error';
  operator: '<=' | '<' | '>=' | '>' | '==';
  expected: number | boolean;
  actual: number | boolean | null;
  passed: boolean;
  message: string;
}

/** A piece of evidence: what was seen, with the numbers or samples that show it. */
export interface Evidence {
  kind: string;
  message: string;
  /** Small samples (response bodies cut to 300 chars, status codes, timings); never secrets. */
  samples?: unknown[];
}

/** A point of a time series for the HTML charts: `t` ms since scenario start. */
export interface TimePoint {
  t: number;
  latencyMs?: number;
  ok?: number;
  errors?: number;
}

export interface ScenarioReport {
  id: string;
  title: string;
  verdict: Verdict;
  summary: string;
  metrics: Record<string, MetricValue>;
  thresholds: Record<string, ThresholdResult>;
  evidence: Evidence[];
  timeline?: TimePoint[];
  durationMs: number;
}

export interface Report {
  schemaVersion: 1;
  tool: { name: 'genie-fix'; version: string };
  target: { url: string };
  startedAt: string;
  durationMs: number;
  options: { users: number; scenarios: string[] };
  scenarios: ScenarioReport[];
  /** Set when the run was interrupted (Ctrl-C) and the report is partial. */
  partial?: boolean;
}
