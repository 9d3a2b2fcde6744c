/**
 * gemini-queue: every call to Gemini goes through one process-wide queue (concurrency limit, spacing, retry of
 * 429/503 honouring RetryInfo, bounded wait). `fetch(` → `queuedGeminiFetch(`; SDK calls → `runGemini(() => …)`.
 * AI SDK models (`google('gemini-…')`) → `queuedGeminiModel(…)`, a wrapLanguageModel queue middleware.
 * A call that already has its own limiter, queue or 429 handling (lib/call-guards.ts) is left alone with a note.
 */
import { Node, type CallExpression } from 'ts-morph';
import { applyEdits, emptyResult, ensureNamedImport, noteAt, type Edit } from './ast.ts';
import { existingGuard } from './lib/call-guards.ts';
import { geminiFetchCalls, geminiSdkCalls, insideRunGemini, mentionsGemini } from './gemini-detect.ts';
import type { Codemod } from './types.ts';
import { queueAiSdkModels } from './gemini-queue/ai-sdk.ts';

const MEMO =
  "the memo's queue set `processing = true` around each request, so it ran one request at a time (never 5), re-queued 429s with no backoff, ignored Gemini's RetryInfo delay and let callers wait forever";

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
      const guarded = (c: CallExpression) => {
        const guard = existingGuard(c);
        if (guard) {
          // A caller's own key is not a limiter: say what it is, not "already handled".
          const message = guard.startsWith('its API key')
            ? `this Gemini call is not queued: ${guard}`
            : `this Gemini call already has its own limiter or 429 handling (${guard}); a second queue around it would stack two policies (double waits, double retries)`;
          result.notes.push(noteAt(ctx, c, message));
        }
        return Boolean(guard);
      };
      const fetches = geminiFetchCalls(sf).filter((c) => !insideRunGemini(c) && !guarded(c));
      const sdk = geminiSdkCalls(sf).filter((c) => !insideRunGemini(c) && !guarded(c));
      if (fetches.length === 0 && sdk.length === 0) continue;
      const notes = [
        ...fetches.map((c) => noteAt(ctx, c, 'Gemini fetch → queuedGeminiFetch: at most N concurrent calls with spacing, 429/503 retried with jittered backoff honouring RetryInfo/Retry-After, GeminiUnavailableError after a bounded wait', MEMO)),
        ...sdk.map((c) => noteAt(ctx, c, `Gemini SDK call ${(c.getExpression() as Node).getText()}() → runGemini(() => …): same queue and retry policy as the REST calls${/Stream$/.test((c.getExpression() as Node).getText()) ? ' (a streamed reply holds its slot only until the stream starts: consume the stream inside runGemini to count it for its whole length)' : ''}`, MEMO)),
      ];
      const edits: Edit[] = [
        ...fetches.map((c) => ({ start: c.getExpression().getStart(), end: c.getExpression().getEnd(), text: 'queuedGeminiFetch' })),
        // Outermost SDK calls only: a nested one is inside the wrapped text already.
        ...sdk
          .filter((c) => !sdk.some((o) => o !== c && o.getStart() <= c.getStart() && o.getEnd() >= c.getEnd()))
          .map((c) => ({ start: c.getStart(), end: c.getEnd(), text: `runGemini(() => ${c.getText()})` })),
      ];
      ensureNamedImport(sf, ctx.addTemplate('gemini-queue', sf), [...(fetches.length ? ['queuedGeminiFetch'] : []), ...(sdk.length ? ['runGemini'] : [])], edits);
      if (!applyEdits(sf, edits)) {
        result.failures.push(noteAt(ctx, sf, 'overlapping Gemini calls; wrap them by hand'));
        continue;
      }
      result.changes.push(...notes);
    }
    return result;
  },
};
