/**
 * Defaults every command shares, in one object: the flags' help text, their parsers and the
 * functions behind them read these, so a default cannot differ between `diagnose` and `demo`.
 * The lab's own defaults (instances, max_connections, mock Gemini quota) live in src/lab/defaults.ts.
 */
export const DEFAULTS = {
  /** Concurrent virtual users (DESIGN.md: "--users <n> (default 100)"). */
  users: 100,
  /** Most users one machine drives in diagnose and demo; beyond it, `export artillery` spreads the load. */
  maxUsers: 2000,
  /** Most users an exported script asks a distributed engine for. */
  maxExportUsers: 100_000,
  /** Runs of every scenario folded into one report by median. */
  runs: 1,
  maxRuns: 20,
} as const;
