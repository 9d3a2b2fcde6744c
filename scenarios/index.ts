/** The registry: `--scenario` validation and run order come from this table; the order itself is ids.ts. */
import type { Scenario, ScenarioId } from './types.ts';
import { scenarioIds } from './ids.ts';
import { poolExhaustion } from './pool-exhaustion.ts';
import { gemini429 } from './gemini-429.ts';
import { lostUpdate } from './lost-update.ts';
import { bufferTruncation } from './buffer-truncation.ts';
import { sharedIpLogin } from './shared-ip-login.ts';
import { cacheEffectiveness } from './cache-effectiveness.ts';
import { uploadMemory } from './upload-memory.ts';
import { sessionId } from './session-id.ts';

/** Every id has its scenario: the type makes a missing one a compile error. */
const byId: Record<ScenarioId, Scenario> = {
  'pool-exhaustion': poolExhaustion,
  'gemini-429': gemini429,
  'lost-update': lostUpdate,
  'buffer-truncation': bufferTruncation,
  'cache-effectiveness': cacheEffectiveness,
  'upload-memory': uploadMemory,
  'session-id': sessionId,
  'shared-ip-login': sharedIpLogin,
};

/** In run order (ids.ts says why that order). */
export const scenarios: readonly Scenario[] = scenarioIds.map((id) => byId[id]);

export { scenarioIds };
