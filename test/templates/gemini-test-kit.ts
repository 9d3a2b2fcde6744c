/** Shared by the Gemini queue templates' tests: the queue's default settings, Google's 429 body, a streamed reply read whole. */
import { streamText, type LanguageModel } from 'ai';

/** The queue's documented defaults; each test overrides what it exercises. */
export const QUEUE_DEFAULTS = { maxConcurrency: 5, minSpacingMs: 100, maxRetries: 6, maxWaitMs: 60_000, baseDelayMs: 500, maxDelayMs: 20_000, maxHoldMs: 120_000 };

/** Google's 429 body, as in WIRE.md. */
export function quotaBody(retryDelay: string | null, quotaId = 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier') {
  const details: object[] = [
    {
      '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
      violations: [{ quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests', quotaId }],
    },
  ];
  if (retryDelay) details.push({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay });
  return { error: { code: 429, message: 'You exceeded your current quota.', status: 'RESOURCE_EXHAUSTED', details } };
}

/** One streamText call read to its end, as a route streaming to a user does. */
export async function streamedText(model: LanguageModel, prompt: string): Promise<string> {
  const result = streamText({ model, prompt });
  let text = '';
  for await (const part of result.textStream) text += part;
  return text;
}
