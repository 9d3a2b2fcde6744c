/** One place for the lab's defaults (why each value: DESIGN.md, "Serverless, modelled"). */
export const LAB_DEFAULTS = {
  instances: 4,
  maxConnections: 14,
  /** Units: milliseconds each way between the app and PostgreSQL (≈ 40 ms round trip). */
  dbLatencyMs: 20,
  seedUsers: 120,
  gemini: { maxConcurrent: 10, requestsPerWindow: 200, windowMs: 60_000, retryDelaySec: 1 },
} as const;
