/** The registry: help text, `--scenario` validation and run order all come from this table. */
import type { Scenario, ScenarioId } from './types.ts';
import { poolExhaustion } from './pool-exhaustion.ts';
import { gemini429 } from './gemini-429.ts';
import { lostUpdate } from './lost-update.ts';
import { bufferTruncation } from './buffer-truncation.ts';
import { sharedIpLogin } from './shared-ip-login.ts';

/** Run order. shared-ip-login is last because it spends the target's per-IP login budget. */
export const scenarios: readonly Scenario[] = [poolExhaustion, gemini429, lostUpdate, bufferTruncation, sharedIpLogin];

export const scenarioIds: readonly ScenarioId[] = scenarios.map((s) => s.id);

export function findScenario(id: string): Scenario | undefined {
  return scenarios.find((s) => s.id === id);
}
