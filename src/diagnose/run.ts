/**
 * A diagnose run flows one way: validate → preflight → log in once → run each scenario → check →
 * write. Returns data; the command prints and the CLI entry maps the exit code.
 */
import { join } from 'node:path';
import type { Ora } from 'ora';
import { spinnerUsable, startSpinner } from '../terminal.ts';
import { scenarios as registry } from '../../scenarios/index.ts';
import type { Scenario, ScenarioContext } from '../../scenarios/types.ts';
import type { TargetConfig } from '../config.ts';
import { loadTargetConfig } from '../target/load.ts';
import { forcedStreamFormat, type StreamFormat } from '../load/stream.ts';
import { openDbProbe, type DbProbe } from '../db/probe.ts';
import { parseDatabaseUrl } from '../db/database-url.ts';
import { DEFAULTS } from '../defaults.ts';
import { VERSION } from '../version.ts';
import { UsageError } from '../errors.ts';
import { HttpClient } from '../load/http.ts';
import { buildSessionPool, SessionPool } from '../load/sessions.ts';
import { redact, redactDeep } from '../redact.ts';
import type { Report, ScenarioReport } from '../report/types.ts';
import { findLabTarget } from './lab-target.ts';
import { checkReachable, isLoopback, parseTargetUrl } from './preflight.ts';
import { ensureWritableDir, writeReports } from '../report/write.ts';
import { aggregateRuns } from '../report/aggregate.ts';
import { compareReports, readReport, type Regression } from '../report/compare.ts';
import { toThresholdRecord, verdictFrom } from '../report/thresholds.ts';
import { judge, loadPreset, rulesFor, type Preset } from './rules.ts';

export type { Regression };

export interface DiagnoseOptions {
  url: string;
  /** Scenario ids to run (default: all). */
  scenarios?: string[];
  skip?: string[];
  /** Concurrent virtual users. Default 100. */
  users?: number;
  config?: string;
  /** Accounts file (`{pattern}` or `{list}`), kept out of the committed config; replaces the config's accounts. */
  accounts?: string;
  databaseUrl?: string;
  /** Output folder. Default reports/<timestamp>/. */
  out?: string;
  baseline?: string;
  yes?: boolean;
  /** Ctrl-C: aborts the running scenario; the report is written with `partial: true`. */
  signal?: AbortSignal;
  /** Human progress lines (stderr by default). */
  log?: (line: string) => void;
  /** What runs now, for a caller's own progress line (demo's step spinner): "pool-exhaustion: 40 of 100 users". */
  progress?: (text: string) => void;
  version?: string;
  /** The lab serving the URL (for process memory); default: the default lab when it serves this URL. */
  labDir?: string;
  /** Runs of every scenario, folded into one report by median (aggregateRuns). Default 1. */
  runs?: number;
  /** Threshold preset (src/report/presets/<name>.json). Default `default`. */
  preset?: string;
  /** Read chat replies in this format instead of detecting it; overrides the config's chat.streamFormat. */
  streamFormat?: StreamFormat;
}

export const MAX_RUNS = DEFAULTS.maxRuns;

export interface DiagnoseResult {
  report: Report;
  files: string[];
  outDir: string;
  regressions: Regression[];
  exitCode: 0 | 1;
}

export function selectScenarios(only: string[] | undefined, skip: string[] | undefined): Scenario[] {
  const ids = registry.map((s) => s.id as string);
  const unknown = [...(only ?? []), ...(skip ?? [])].filter((id) => !ids.includes(id));
  if (unknown.length) throw new UsageError(`unknown scenario ${unknown.join(', ')}; choose from: ${ids.join(', ')}`);
  return registry.filter((s) => (!only?.length || only.includes(s.id)) && !skip?.includes(s.id));
}

function timestamp(d = new Date()): string {
  return d.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
}

async function runOne(scenario: Scenario, ctx: ScenarioContext, config: TargetConfig, preset: Preset, runSignal: AbortSignal): Promise<ScenarioReport> {
  const started = performance.now();
  const settings = config.scenarios[scenario.id];
  const base = { id: scenario.id, title: scenario.title, thresholds: {}, evidence: [], metrics: {} };
  try {
    const outcome = await scenario.run(ctx);
    const durationMs = Math.round(performance.now() - started);
    if (runSignal.aborted) {
      return { ...base, ...outcome, verdict: 'error', summary: 'interrupted (Ctrl-C): partial measurements only', durationMs };
    }
    if (outcome.unmeasured) {
      // Not a threshold judgment: the scenario says it could not measure, and why.
      const { unmeasured, ...measured } = outcome;
      return { ...base, ...measured, verdict: unmeasured.verdict, summary: unmeasured.reason, durationMs };
    }
    const results = judge(scenario.id, outcome.metrics, preset, settings);
    const evidence = [...outcome.evidence];
    if (ctx.signal.aborted) evidence.push({ kind: 'time-budget', message: `stopped at the scenario time budget (${config.timeouts.scenarioMs} ms)` });
    return {
      ...base,
      verdict: verdictFrom(results),
      summary: scenario.summarize(outcome.metrics),
      metrics: outcome.metrics,
      thresholds: toThresholdRecord(results),
      evidence,
      timeline: outcome.timeline,
      durationMs,
    };
  } catch (err) {
    const message = runSignal.aborted ? 'interrupted (Ctrl-C)' : (err as Error).message ?? String(err);
    return {
      ...base,
      verdict: 'error',
      summary: `could not run: ${message}`,
      evidence: [{ kind: 'error', message }],
      durationMs: Math.round(performance.now() - started),
    };
  }
}

export async function diagnose(opts: DiagnoseOptions): Promise<DiagnoseResult> {
  const log = opts.log ?? ((line: string) => process.stderr.write(redact(line) + '\n'));
  const url = parseTargetUrl(opts.url);
  const users = opts.users ?? DEFAULTS.users;
  if (!Number.isInteger(users) || users < 1 || users > DEFAULTS.maxUsers) throw new UsageError(`--users must be an integer from 1 to ${DEFAULTS.maxUsers}, got ${users}`);
  const runs = opts.runs ?? DEFAULTS.runs;
  if (!Number.isInteger(runs) || runs < 1 || runs > MAX_RUNS) throw new UsageError(`--runs must be an integer from 1 to ${MAX_RUNS}, got ${runs}`);
  const preset = loadPreset(opts.preset ?? 'default');
  const selected = selectScenarios(opts.scenarios, opts.skip);
  const config = await loadTargetConfig(opts.config, opts.accounts);
  // A config threshold naming no rule is a usage error before any load is sent, not after.
  for (const [id, settings] of Object.entries(config.scenarios)) rulesFor(id, preset, settings);
  const writers = selected.filter((s) => s.writes);
  if (writers.length && !isLoopback(url) && !opts.yes) {
    throw new UsageError(
      `${writers.map((s) => s.id).join(', ')} create and delete records on ${url.host}, which is not a loopback address`,
      'add --yes to allow it, or --skip ' + writers.map((s) => s.id).join(' '),
    );
  }
  const baseline = opts.baseline ? readReport(opts.baseline) : undefined;
  const outDir = opts.out ?? join('reports', timestamp());
  // Bad input is found before the first request, not after every scenario ran.
  const dbConfig = opts.databaseUrl !== undefined ? parseDatabaseUrl(opts.databaseUrl) : undefined;
  await ensureWritableDir(outDir);
  const progress = opts.progress ?? (() => undefined);
  const runSignal = opts.signal ?? new AbortController().signal;
  const spinnerWanted = !opts.log && spinnerUsable(process.stderr);
  const startedAt = new Date();
  const t0 = performance.now();
  const client = new HttpClient(url.origin + url.pathname.replace(/\/+$/, ''), runSignal, Math.max(64, users + 16));
  let db: DbProbe | undefined;
  /** Scenario reports of each run, in order. */
  const runReports: ScenarioReport[][] = [];
  try {
    progress(`checking ${client.origin} answers`);
    await checkReachable(client, config.routes.health, config.timeouts.requestMs, log);
    if (dbConfig) db = await openDbProbe(dbConfig);
    const lab = await findLabTarget(client.origin, opts.labDir);
    let sessions = new SessionPool([], 0, 'not needed');
    if (selected.some((s) => s.needsSession)) {
      log(`logging in up to ${users} accounts (once per run, shared by the scenarios)…`);
      // A slow login (seconds each) must not look like a hang: say how far it got.
      const loginSpinner = spinnerWanted ? startSpinner('logging in') : null;
      sessions = await buildSessionPool(client, config, users, runSignal, (done, total) => {
        const text = `logging in: ${done} of ${total} accounts tried`;
        progress(text);
        if (loginSpinner) loginSpinner.text = text;
        else if (done % 20 === 0) log(`  ${text}`);
      });
      loginSpinner?.stop();
      log(`  ${sessions.note}`);
    }
    for (let run = 1; run <= runs && !(run > 1 && runSignal.aborted); run++) {
      if (runs > 1) log(`run ${run} of ${runs}`);
      const current: ScenarioReport[] = [];
      runReports.push(current);
      for (const scenario of selected) {
        if (runSignal.aborted) {
          current.push({ id: scenario.id, title: scenario.title, verdict: 'skip', summary: 'not run: interrupted (Ctrl-C)', metrics: {}, thresholds: {}, evidence: [], durationMs: 0 });
          continue;
        }
        const spinner: Ora | null = spinnerWanted ? startSpinner(scenario.id) : null;
        if (!spinner) log(`▶ ${scenario.id}: ${scenario.title}`);
        progress(scenario.id);
        const ctx: ScenarioContext = {
          baseUrl: client.origin,
          users,
          config,
          db,
          signal: AbortSignal.any([runSignal, AbortSignal.timeout(config.timeouts.scenarioMs)]),
          progress: (text) => {
            const line = redact(`${scenario.id}: ${text}`);
            if (spinner) spinner.text = line;
            progress(line);
          },
          client,
          sessions,
          lab,
          streamFormat: forcedStreamFormat(opts.streamFormat ?? config.target?.chat?.streamFormat),
        };
        const report = await runOne(scenario, ctx, config, preset, runSignal);
        current.push(report);
        const line = redact(`${scenario.id}: ${report.verdict} — ${report.summary}`);
        if (spinner) {
          if (report.verdict === 'pass') spinner.succeed(line);
          else if (report.verdict === 'fail') spinner.fail(line);
          else spinner.warn(line);
        } else log(`  ${line}`);
      }
    }
  } finally {
    await db?.close();
    await client.close();
  }
  const durationMs = Math.round(performance.now() - t0);
  const perRun = runReports.map(
    (scenarios): Report => ({
      schemaVersion: 1,
      tool: { name: 'genie-fix', version: opts.version ?? VERSION },
      target: { url: redact(client.origin) },
      startedAt: startedAt.toISOString(),
      durationMs,
      options: { users, scenarios: selected.map((s) => s.id) },
      scenarios,
      ...(runSignal.aborted ? { partial: true } : {}),
    }),
  );
  // Medians of the runs; aggregateRuns sums durations, but the runs ran one after another within durationMs.
  const summarize = (id: string, metrics: Report['scenarios'][number]['metrics']) => {
    const scenario = selected.find((s) => s.id === id);
    return scenario ? `Median of ${perRun.length} runs: ${scenario.summarize(metrics)}` : `Median of ${perRun.length} runs.`;
  };
  const aggregated = aggregateRuns(perRun, { summarize });
  // Left out on purpose is recorded, so `compare` tells a deliberate skip from a scenario that went missing.
  const skippedOnPurpose = registry
    .filter((s) => opts.skip?.includes(s.id) && !aggregated.scenarios.some((r) => r.id === s.id))
    .map((s): ScenarioReport => ({ id: s.id, title: s.title, verdict: 'skip', summary: 'skipped on purpose (--skip)', metrics: {}, thresholds: {}, evidence: [], durationMs: 0 }));
  const report: Report = redactDeep({ ...aggregated, scenarios: [...aggregated.scenarios, ...skippedOnPurpose], durationMs });
  const files = await writeReports(report, outDir, { baseline });
  const regressions: Regression[] = baseline ? compareReports(baseline, report).regressions : [];
  const failed = report.scenarios.some((s) => s.verdict === 'fail' || s.verdict === 'error');
  return { report, files, outDir, regressions, exitCode: failed || regressions.length > 0 || report.partial ? 1 : 0 };
}
