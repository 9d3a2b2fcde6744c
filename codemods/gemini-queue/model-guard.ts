/**
 * What already guards an AI SDK Gemini model's calls, and so what gemini-queue may add around it:
 * - nothing → the full queue (limit, spacing, 429 retried honouring RetryInfo);
 * - the app's own 429 retry and no limiter → a limit-only queue: bounded concurrency and bounded waiting, no retries
 *   of its own, so the app's retries are not multiplied and still see the AI SDK's own errors;
 * - a limiter, key rotation, the caller's own key, an existing wrapLanguageModel or a retry-with-fallback wrapper →
 *   left alone, with the reason.
 */
import { Node, SyntaxKind, type CallExpression } from 'ts-morph';
import { existingGuard, type Guard } from '../lib/call-guards.ts';
import { callerOwnKey } from '../lib/caller-key.ts';
import { aiSdkGeminiCalls } from '../gemini-detect.ts';
import { appRetryAroundModelsOf } from './app-retry.ts';

/** Wrappers that already retry or fall back around a model (ai-retry's createRetryable, hand-rolled fallbacks). */
const RETRYING_WRAPPER = /retry|retryable|fallback/i;

export type ModelVerdict = { leave: string } | { limitOnly: string } | { queue: true };

function fromGuard(guard: Guard): { leave: string } | { limitOnly: string } {
  if (guard.kind === 'retry') return { limitOnly: guard.why };
  if (guard.kind === 'own-key') return { leave: guard.why };
  return { leave: `its calls already run behind ${guard.why}; a second queue would stack two policies` };
}

/** The guards around the AI SDK calls of the model's file that use the variable holding it. */
function guardsOfCallsUsing(model: CallExpression): Guard[] {
  const holder = model.getParentIfKind(SyntaxKind.VariableDeclaration);
  if (!holder) return [];
  const name = holder.getName();
  return aiSdkGeminiCalls(model.getSourceFile())
    .filter((call) => call.getDescendantsOfKind(SyntaxKind.Identifier).some((id) => id.getText() === name))
    .map((call) => existingGuard(call))
    .filter((g): g is Guard => g !== undefined);
}

export function modelVerdict(model: CallExpression, root: string): ModelVerdict {
  for (const a of model.getAncestors()) {
    if (!Node.isCallExpression(a)) continue;
    const name = a.getExpression().getText();
    if (name === 'wrapLanguageModel') return { leave: `already wrapped with wrapLanguageModel at line ${a.getStartLineNumber()}; add geminiQueueMiddleware to its middleware list by hand if it has no limiter` };
    // A limit here would make the fallback wait for a slot instead of switching models: the app chose to fall back.
    if (RETRYING_WRAPPER.test(name)) return { leave: `inside ${name}(…) at line ${a.getStartLineNumber()}, which already retries or falls back to other models on errors; queue retries inside it would delay that fallback by up to GEMINI_MAX_WAIT_MS` };
  }
  // A model made per request with the caller's own key: quotas are per user, a shared queue would couple them.
  const ownKey = callerOwnKey(model);
  if (ownKey) return { leave: ownKey };
  // Any limiter or key rotation leaves the model alone; only then does the app's own retry ask for the limit alone.
  const verdicts = [existingGuard(model), ...guardsOfCallsUsing(model)].filter((g): g is Guard => g !== undefined).map(fromGuard);
  const leave = verdicts.find((v) => 'leave' in v);
  if (leave) return leave;
  const elsewhere = appRetryAroundModelsOf(model.getSourceFile(), root);
  if (elsewhere?.limiter) return { leave: `the app calls the models of this module through its own 429 retry, ${elsewhere.where}, behind ${elsewhere.limiter}; a second queue would stack two policies` };
  return verdicts[0] ?? (elsewhere ? { limitOnly: elsewhere.where } : { queue: true });
}
