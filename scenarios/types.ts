import type { Evidence, MetricValue, ScenarioReport, TimePoint } from '../src/report/types.ts';

export type { ScenarioId } from './ids.ts';
import type { ScenarioId } from './ids.ts';

/** Everything a scenario may use; built once per diagnose run by src/commands/diagnose.ts. */
export interface ScenarioContext {
  /** Base URL of the deployment, no trailing slash. */
  baseUrl: string;
  /** Concurrent virtual users (default 100). */
  users: number;
  /** Validated target config (routes, credentials, payloads, thresholds). */
  config: import('../src/config.ts').TargetConfig;
  /** Present when --database-url was given: samples pg_stat_activity etc. */
  db?: import('../src/db/probe.ts').DbProbe;
  /** Aborted on Ctrl-C or the scenario's time budget: every loop checks it. */
  signal: AbortSignal;
  /** Live progress line (ora). */
  progress(text: string): void;
  /** Shared HTTP client: keep-alive connections to the target, as many as the run has users. */
  client: import('../src/load/http.ts').HttpClient;
  /** Sessions logged in once per run and reused (the login limiter is per IP). */
  sessions: import('../src/load/sessions.ts').SessionPool;
  /** Present when the target is a lab on this machine (`--lab-dir`, or the default lab serving this URL). */
  lab?: import('../src/diagnose/lab-target.ts').LabTarget;
  /** Read chat replies in this format instead of detecting it (`--stream-format`, or the config's chat.streamFormat). */
  streamFormat?: import('../src/load/stream.ts').StreamFormat;
}

/**
 * A scenario that could not measure says so instead of being judged: `skip` when it does not apply
 * to this target (e.g. no --database-url), `error` when it tried and got no usable measurement.
 * This is not a threshold judgment; those live in the presets only.
 */
export interface Unmeasured {
  verdict: 'skip' | 'error';
  /** One sentence for the report's summary: what was missing and how to provide it. */
  reason: string;
}

export interface ScenarioOutcome {
  metrics: Record<string, MetricValue>;
  evidence: Evidence[];
  timeline?: TimePoint[];
  /** Set when there is nothing to judge; the runner then skips the preset's rules. */
  unmeasured?: Unmeasured;
}

export interface Scenario {
  id: ScenarioId;
  title: string;
  /** Writes to the target (creates records): needs --yes against a non-loopback host. */
  writes: boolean;
  /** Uses the shared session pool (logged-in requests). */
  needsSession?: boolean;
  /** Measures; never judges: the rules for its metrics are in src/report/presets/*.json. */
  run(ctx: ScenarioContext): Promise<ScenarioOutcome>;
  /** One sentence for the report, from the metrics. */
  summarize(metrics: Record<string, MetricValue>): string;
}

export type { ScenarioReport };
