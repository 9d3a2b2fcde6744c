/**
 * gemini-queue: every call to Gemini goes through one process-wide queue (concurrency limit, spacing, retry of
 * 429/503 honouring RetryInfo, bounded wait). `fetch(` → `queuedGeminiFetch(`; SDK calls → `runGemini(() => …)`.
 * AI SDK models (`google('gemini-…')`) → `queuedGeminiModel(…)`, a wrapLanguageModel queue middleware.
 * A call behind the app's own 429 retry but no limiter gets the limit alone (`limitedGeminiFetch(`,
 * `runGeminiLimited(() => …)`, `limitedGeminiModel(…)`): bounded concurrency and waiting, no second retry policy.
 * A call with its own limiter, key rotation or the caller's own key (lib/call-guards.ts) is left alone with a note.
 */
import { Node, type CallExpression } from 'ts-morph';
import { applyEdits, emptyResult, ensureNamedImport, noteAt, type Edit } from './ast.ts';
import { existingGuard } from './lib/call-guards.ts';
import { geminiFetchCalls, geminiSdkCalls, insideRunGemini, mentionsGemini } from './gemini-detect.ts';
import type { Codemod } from './types.ts';
import { queueAiSdkModels } from './gemini-queue/ai-sdk.ts';

const MEMO =
  "the memo's queue set `processing = true` around each request, so it ran one request at a time (never 5), re-queued 429s with no backoff, ignored Gemini's RetryInfo delay and let callers wait forever";

/** `fetch(…)` rather than an SDK method call. */
function isFetch(call: CallExpression): boolean {
  return !Node.isPropertyAccessExpression(call.getExpression()) || call.getExpression().getText() === 'globalThis.fetch';
}

export const geminiQueue: Codemod = {
  id: 'gemini-queue',
  title: 'Queue every Gemini call (concurrency limit, spacing, RetryInfo-aware retry, bounded wait)',
  prefilter: (text) =>
    (mentionsGemini(text) && /fetch\(|generateContent|sendMessage|embedContent|countTokens/.test(text)) || /['"]@ai-sdk\/google|['"]@langchain\/google/.test(text),
  transform(ctx) {
    const result = emptyResult();
    for (const sf of ctx.files) {
      // Models made with the AI SDK's Google provider: wrapped where they are made (gemini-queue/ai-sdk.ts).
      queueAiSdkModels(ctx, sf, result);
      // The app's own 429 retry without a limiter: the limit alone. Any other guard: left alone, with its reason.
      const limitOnly = new Map<CallExpression, string>();
      const unguarded = (c: CallExpression) => {
        const guard = existingGuard(c);
        if (guard?.kind === 'retry') limitOnly.set(c, guard.why);
        else if (guard?.kind === 'own-key') result.notes.push(noteAt(ctx, c, `this Gemini call is not queued: ${guard.why}`));
        else if (guard) result.notes.push(noteAt(ctx, c, `this Gemini call already has its own limiter or 429 handling (${guard.why}); a second queue around it would stack two policies (double waits, double retries)`));
        return !guard;
      };
      const calls = [...geminiFetchCalls(sf), ...geminiSdkCalls(sf)].filter((c) => !insideRunGemini(c));
      const plain = calls.filter(unguarded);
      const fetches = plain.filter(isFetch);
      const sdk = plain.filter((c) => !isFetch(c));
      const limitedFetches = [...limitOnly.keys()].filter(isFetch);
      const limitedSdk = [...limitOnly.keys()].filter((c) => !isFetch(c));
      if (plain.length === 0 && limitOnly.size === 0) continue;
      const method = (c: CallExpression) => c.getExpression().getText();
      const LIMIT_ONLY = "bounded concurrency only; the app's own retry handles 429s";
      const HOW = 'at most GEMINI_MAX_CONCURRENCY calls in flight, at most GEMINI_MAX_WAIT_MS waiting for a slot, and no retries here, so retries do not multiply';
      const notes = [
        ...fetches.map((c) => noteAt(ctx, c, 'Gemini fetch → queuedGeminiFetch: at most N concurrent calls with spacing, 429/503 retried with jittered backoff honouring RetryInfo/Retry-After, GeminiUnavailableError after a bounded wait', MEMO)),
        ...sdk.map((c) => noteAt(ctx, c, `Gemini SDK call ${method(c)}() → runGemini(() => …): same queue and retry policy as the REST calls${/Stream$/.test(method(c)) ? ' (a streamed reply holds its slot only until the stream starts: consume the stream inside runGemini to count it for its whole length)' : ''}`, MEMO)),
        ...limitedFetches.map((c) => noteAt(ctx, c, `Gemini fetch → limitedGeminiFetch: ${LIMIT_ONLY} (${limitOnly.get(c)}); ${HOW}`)),
        ...limitedSdk.map((c) => noteAt(ctx, c, `Gemini SDK call ${method(c)}() → runGeminiLimited(() => …): ${LIMIT_ONLY} (${limitOnly.get(c)}); ${HOW}`)),
      ];
      // Outermost SDK calls only: a nested one is inside the wrapped text already.
      const outermost = (list: CallExpression[]) => list.filter((c) => !list.some((o) => o !== c && o.getStart() <= c.getStart() && o.getEnd() >= c.getEnd()));
      const rename = (list: CallExpression[], text: string): Edit[] => list.map((c) => ({ start: c.getExpression().getStart(), end: c.getExpression().getEnd(), text }));
      const wrapIn = (list: CallExpression[], fn: string): Edit[] => outermost(list).map((c) => ({ start: c.getStart(), end: c.getEnd(), text: `${fn}(() => ${c.getText()})` }));
      const edits: Edit[] = [...rename(fetches, 'queuedGeminiFetch'), ...wrapIn(sdk, 'runGemini'), ...rename(limitedFetches, 'limitedGeminiFetch'), ...wrapIn(limitedSdk, 'runGeminiLimited')];
      if (plain.length > 0) {
        ensureNamedImport(sf, ctx.addTemplate('gemini-queue', sf), [...(fetches.length ? ['queuedGeminiFetch'] : []), ...(sdk.length ? ['runGemini'] : [])], edits);
      }
      if (limitOnly.size > 0) {
        ensureNamedImport(sf, ctx.addTemplate('gemini-limit-only', sf), [...(limitedFetches.length ? ['limitedGeminiFetch'] : []), ...(limitedSdk.length ? ['runGeminiLimited'] : [])], edits);
      }
      if (!applyEdits(sf, edits)) {
        result.failures.push(noteAt(ctx, sf, 'overlapping Gemini calls; wrap them by hand'));
        continue;
      }
      result.changes.push(...notes);
    }
    return result;
  },
};
