/**
 * mock Gemini's defaults, for `genie-fix mock-gemini` and the lab alike. The quota is Gemini's free
 * tier in miniature: 10 generate requests in flight, 200 a minute, then 429 with a 1 s retryDelay.
 * Units: milliseconds unless named.
 */
export const MOCK_GEMINI_DEFAULTS = {
  host: '127.0.0.1',
  maxConcurrent: 10,
  requestsPerWindow: 200,
  windowMs: 60_000,
  retryDelaySec: 1,
  ttftMs: 300,
  tokenDelayMs: 20,
  chunkChars: 24,
} as const;

/** One place for the lab's defaults (why each value: DESIGN.md, "Serverless, modelled"). */
export const LAB_DEFAULTS = {
  instances: 4,
  maxConnections: 14,
  /** Units: milliseconds each way between the app and PostgreSQL (≈ 40 ms round trip). */
  dbLatencyMs: 20,
  seedUsers: 120,
  gemini: {
    maxConcurrent: MOCK_GEMINI_DEFAULTS.maxConcurrent,
    requestsPerWindow: MOCK_GEMINI_DEFAULTS.requestsPerWindow,
    windowMs: MOCK_GEMINI_DEFAULTS.windowMs,
    retryDelaySec: MOCK_GEMINI_DEFAULTS.retryDelaySec,
  },
} as const;
