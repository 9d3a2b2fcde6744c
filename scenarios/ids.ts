/**
 * The scenario ids in run order: the one list the registry (index.ts) is built from, light enough for
 * `--help` to show without loading the scenarios themselves.
 *
 * shared-ip-login is last because it spends the target's per-IP login budget; session-id logs in too
 * (it needs fresh session ids), so it goes just before it, after the other scenarios have given an
 * IP-keyed limiter's window time to reset.
 */
export const scenarioIds = [
  'pool-exhaustion',
  'gemini-429',
  'lost-update',
  'buffer-truncation',
  'cache-effectiveness',
  'upload-memory',
  'session-id',
  'shared-ip-login',
] as const;

export type ScenarioId = (typeof scenarioIds)[number];
