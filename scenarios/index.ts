/** The registry: help text, `--scenario` validation and run order all come from this table. */
import type { Scenario, ScenarioId } from './types.ts';
import { poolExhaustion } from './pool-exhaustion.ts';
import { gemini429 } from './gemini-429.ts';
import { lostUpdate } from './lost-update.ts';
import { bufferTruncation } from './buffer-truncation.ts';
import { sharedIpLogin } from './shared-ip-login.ts';
import { cacheEffectiveness } from './cache-effectiveness.ts';
import { uploadMemory } from './upload-memory.ts';
import { sessionId } from './session-id.ts';

/**
 * Run order. shared-ip-login is last because it spends the target's per-IP login budget;
 * session-id logs in too (it needs fresh session ids), so it goes just before it, after the
 * other scenarios have given an IP-keyed limiter's window time to reset.
 */
export const scenarios: readonly Scenario[] = [
  poolExhaustion,
  gemini429,
  lostUpdate,
  bufferTruncation,
  cacheEffectiveness,
  uploadMemory,
  sessionId,
  sharedIpLogin,
];

export const scenarioIds: readonly ScenarioId[] = scenarios.map((s) => s.id);
