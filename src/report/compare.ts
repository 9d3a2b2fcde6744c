/**
 * Regression rules between two reports, pure. A regression is: a scenario whose verdict went from
 * pass to fail or error; or a metric worse than its tolerance (presets/tolerances.json), which with
 * zero tolerance means any new lost update, truncated reply or blocked passenger counts; and a
 * scenario of the baseline missing from the current report, unless the baseline had skipped it.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.ts';
import { flattenMetrics, formatMetric, toleranceFor } from './metrics.ts';
import { SCHEMA_VERSION, reportSchema } from './schema.ts';
import type { Report, ScenarioReport } from './types.ts';

export type RowStatus = 'same' | 'better' | 'worse' | 'regressed' | 'info' | 'added' | 'removed';

export interface CompareRow {
  scenario: string;
  /** A metric name, `parent.key` for record metrics, or `verdict`. */
  metric: string;
  baseline: unknown;
  current: unknown;
  /** current − baseline for numbers, else null. */
  delta: number | null;
  status: RowStatus;
  /** The worsening allowed before `worse` becomes `regressed`, in the metric's unit. */
  allowed?: number;
}

export interface Regression {
  scenario: string;
  metric: string;
  baseline: unknown;
  current: unknown;
  reason: string;
}

export interface CompareOptions {
  /** Per metric, the allowed worsening in percent of the baseline (replaces the data file's entry). */
  tolerances?: Record<string, number>;
}

const failing = new Set(['fail', 'error']);

function compareVerdict(base: ScenarioReport, cur: ScenarioReport): { row: CompareRow; regression?: Regression } {
  const regressed = base.verdict === 'pass' && failing.has(cur.verdict);
  const better = failing.has(base.verdict) && cur.verdict === 'pass';
  const row: CompareRow = {
    scenario: cur.id, metric: 'verdict', baseline: base.verdict, current: cur.verdict, delta: null,
    status: regressed ? 'regressed' : better ? 'better' : base.verdict === cur.verdict ? 'same' : 'info',
  };
  if (!regressed) return { row };
  return {
    row,
    regression: { scenario: cur.id, metric: 'verdict', baseline: base.verdict, current: cur.verdict, reason: `verdict went from ${base.verdict} to ${cur.verdict}: ${cur.summary}` },
  };
}

function compareMetric(scenario: string, metric: string, base: unknown, cur: unknown, opts: CompareOptions): { row: CompareRow; regression?: Regression } {
  const tol = toleranceFor(metric, opts.tolerances);
  const row: CompareRow = { scenario, metric, baseline: base, current: cur, delta: null, status: 'info' };
  if (base === undefined) return { row: { ...row, status: 'added' } };
  if (cur === undefined) return { row: { ...row, status: 'removed' } };

  if (typeof base === 'boolean' && typeof cur === 'boolean') {
    if (tol.better === 'none' || base === cur) return { row: { ...row, status: base === cur ? 'same' : 'info' } };
    const worse = tol.better === 'higher' ? base && !cur : !base && cur;
    if (!worse) return { row: { ...row, status: 'better' } };
    return {
      row: { ...row, status: 'regressed' },
      regression: { scenario, metric, baseline: base, current: cur, reason: `${metric} changed from ${formatMetric(metric, base)} to ${formatMetric(metric, cur)}` },
    };
  }
  if (typeof base !== 'number' || typeof cur !== 'number') {
    return { row: { ...row, status: base === cur ? 'same' : 'info' } };
  }

  const delta = cur - base;
  const withDelta = { ...row, delta };
  if (tol.better === 'none') return { row: { ...withDelta, status: delta === 0 ? 'same' : 'info' } };
  if (delta === 0) return { row: { ...withDelta, status: 'same' } };
  const worsening = tol.better === 'lower' ? delta : -delta;
  if (worsening < 0) return { row: { ...withDelta, status: 'better' } };
  const allowed = Math.max((Math.abs(base) * tol.pct) / 100, tol.abs);
  if (worsening <= allowed) return { row: { ...withDelta, status: 'worse', allowed } };
  const pct = base !== 0 ? ` (${delta > 0 ? '+' : ''}${Math.round((delta / Math.abs(base)) * 100)} %)` : '';
  return {
    row: { ...withDelta, status: 'regressed', allowed },
    regression: {
      scenario, metric, baseline: base, current: cur,
      reason: `${metric} got worse: ${formatMetric(metric, base)} → ${formatMetric(metric, cur)}${pct}, tolerance ${formatMetric(metric, allowed)}`,
    },
  };
}

export function compareReports(baseline: Report, current: Report, opts: CompareOptions = {}): { rows: CompareRow[]; regressions: Regression[] } {
  const rows: CompareRow[] = [];
  const regressions: Regression[] = [];
  const push = (r: { row: CompareRow; regression?: Regression }) => {
    rows.push(r.row);
    if (r.regression) regressions.push(r.regression);
  };
  const baseById = new Map(baseline.scenarios.map((s) => [s.id, s]));
  for (const cur of current.scenarios) {
    const base = baseById.get(cur.id);
    if (!base) {
      rows.push({ scenario: cur.id, metric: 'verdict', baseline: undefined, current: cur.verdict, delta: null, status: 'added' });
      continue;
    }
    push(compareVerdict(base, cur));
    // A skipped or crashed scenario measured nothing: its metrics say nothing about the code.
    if (cur.verdict === 'skip' || cur.verdict === 'error' || base.verdict === 'skip' || base.verdict === 'error') continue;
    const b = flattenMetrics(base.metrics);
    const c = flattenMetrics(cur.metrics);
    // A failing baseline measured fast failures, not the code path that now works: when the
    // scenario went fail → pass, a slower figure is shown as worse but is not a regression.
    const fixed = failing.has(base.verdict) && cur.verdict === 'pass';
    for (const metric of new Set([...Object.keys(b), ...Object.keys(c)])) {
      const r = compareMetric(cur.id, metric, b[metric], c[metric], opts);
      push(fixed && r.regression ? { row: { ...r.row, status: 'worse' } } : r);
    }
  }
  // A scenario the gate checked before and the current run does not mention is a hole in the gate,
  // not a pass: a deliberate leave-out is recorded in the report as `skip` (diagnose --skip).
  const currentIds = new Set(current.scenarios.map((s) => s.id));
  for (const base of baseline.scenarios) {
    if (currentIds.has(base.id)) continue;
    const missing = base.verdict !== 'skip';
    rows.push({ scenario: base.id, metric: 'verdict', baseline: base.verdict, current: undefined, delta: null, status: missing ? 'regressed' : 'removed' });
    if (missing) {
      regressions.push({
        scenario: base.id, metric: 'verdict', baseline: base.verdict, current: undefined,
        reason: 'missing from the current report: it was not run and not skipped on purpose (diagnose --skip records a deliberate skip)',
      });
    }
  }
  return { rows, regressions };
}

// ---- reading ---------------------------------------------------------------------------------------

function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}

/** Reads and validates a report.json; every failure is one line (UsageError, exit 2). */
export function readReport(path: string): Report {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : firstLine(String((err as Error).message));
    throw new UsageError(`cannot read report ${path}: ${why}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`report ${path} is not valid JSON: ${firstLine((err as Error).message)}`);
  }
  return parseReport(data, path);
}

export function parseReport(data: unknown, path = 'report'): Report {
  const obj = data && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : undefined;
  const tool = obj?.tool as { name?: unknown } | undefined;
  if (!obj || !('schemaVersion' in obj) || tool?.name !== 'genie-fix') {
    throw new UsageError(`${path} is not a genie-fix report (no schemaVersion and tool.name "genie-fix")`);
  }
  const version = obj.schemaVersion;
  if (typeof version === 'number' && version > SCHEMA_VERSION) {
    throw new UsageError(`report schemaVersion ${version} is newer than this genie-fix reads (${SCHEMA_VERSION}): upgrade genie-fix`);
  }
  if (version !== SCHEMA_VERSION) {
    throw new UsageError(`report schemaVersion ${JSON.stringify(version)} is not supported (this genie-fix reads ${SCHEMA_VERSION}): re-run genie-fix diagnose to write a new report`);
  }
  const parsed = reportSchema.safeParse(obj);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? issue.path.join('.') : '(root)';
    throw new UsageError(`report ${path} does not match schema/report.schema.json at ${where}: ${firstLine(issue.message)}`);
  }
  // The original object, not zod's copy: fields a newer 1.x writer added are kept.
  return obj as unknown as Report;
}
