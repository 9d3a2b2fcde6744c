import { describe, expect, it } from 'vitest';
import { runFixtureCase } from './codemod-fixture-harness.ts';

// What the fixture texts cannot show: where the AI SDK models were wrapped, and why others were left alone.
describe('gemini-queue reasons (AI SDK and LangChain)', () => {
  it('a model made once in lib/ is wrapped there, not in each route that uses it', async () => {
    const s = await runFixtureCase('gemini-queue', 'ai-sdk-lib-model');
    expect(s.changes.map((c) => [c.file, c.line])).toEqual([['lib/writer-model.ts', 6]]);
    expect(s.changes[0]!.message).toMatch(/^AI SDK Gemini model provider\('gemini-2\.5-flash-lite'\) → queuedGeminiModel/);
  });

  it('a registry gets each Gemini entry wrapped, and its OpenAI entry left as it is', async () => {
    const s = await runFixtureCase('gemini-queue', 'ai-sdk-registry');
    expect(s.changes.map((c) => c.line)).toEqual([7, 8]);
    expect(s.candidates).toEqual([]);
  });

  it('a model already wrapped with wrapLanguageModel is left alone with a note', async () => {
    const s = await runFixtureCase('gemini-queue', 'no-transform-ai-sdk-wrapped');
    expect(s.changes).toEqual([]);
    expect(s.notes?.map((n) => [n.line, n.message])).toEqual([[12, expect.stringContaining('already wrapped with wrapLanguageModel at line 12')]]);
  });

  it('a model whose calls run behind p-limit is left alone: a second queue would stack two policies', async () => {
    const s = await runFixtureCase('gemini-queue', 'no-transform-ai-sdk-p-limit');
    expect(s.notes?.map((n) => n.message)).toEqual([expect.stringMatching(/twoAtATime\(…\) \(p-limit\) at line 10; a second queue would stack two policies$/)]);
  });

  it("a model inside ai-retry's createRetryable is left alone: queue retries would delay its fallback", async () => {
    const s = await runFixtureCase('gemini-queue', 'no-transform-ai-sdk-retryable');
    expect(s.notes?.map((n) => n.message)).toEqual([expect.stringContaining('inside createRetryable(…) at line 6, which already retries or falls back')]);
  });

  it('an OpenAI model and a client component are not Gemini calls genie-fix may edit: no output at all', async () => {
    for (const name of ['no-transform-ai-sdk-openai', 'no-transform-ai-sdk-client']) {
      const s = await runFixtureCase('gemini-queue', name);
      expect([s.changes, s.candidates, s.failures, s.notes ?? []], name).toEqual([[], [], [], []]);
    }
  });

  it("LangChain's ChatGoogleGenerativeAI is reported for a human, with its own retry and per-instance limit as the reason", async () => {
    const s = await runFixtureCase('gemini-queue', 'no-transform-langchain-gemini');
    expect(s.changes).toEqual([]);
    expect(s.candidates.map((c) => [c.line, c.message])).toEqual([[3, expect.stringMatching(/retries 429s itself .* per instance only \(maxConcurrency\)/)]]);
  });
});

describe('gemini-queue reasons (calls behind the app’s own retry: the limit alone)', () => {
  const LIMIT_ONLY = "bounded concurrency only; the app's own retry handles 429s";

  it('models called from another module through a p-retry helper get limitedGeminiModel there, naming the helper', async () => {
    const s = await runFixtureCase('gemini-queue', 'ai-sdk-app-retry-lib');
    expect(s.changes.map((c) => [c.file, c.line, c.message])).toEqual([
      ['lib/llm/models.ts', 5, expect.stringContaining(`google('gemini-2.5-flash') → limitedGeminiModel(…): ${LIMIT_ONLY} (retryOnRateLimit(…) at call.ts:17 (lib/llm/call.ts))`)],
      ['lib/llm/models.ts', 5, expect.stringContaining(`google('gemini-2.0-flash-lite') → limitedGeminiModel(…): ${LIMIT_ONLY}`)],
    ]);
    expect(s.notes ?? []).toEqual([]);
  });

  it('the same helper called behind a p-queue leaves the models alone, naming both', async () => {
    const s = await runFixtureCase('gemini-queue', 'no-transform-ai-sdk-app-retry-lib-limited');
    expect(s.changes).toEqual([]);
    expect(s.notes?.map((n) => n.message)).toEqual([
      expect.stringContaining('retryOnRateLimit(…) at call.ts:21 (lib/llm/call.ts), behind llmQueue.add(…) (p-queue) at line 21'),
      expect.stringContaining('behind llmQueue.add(…) (p-queue)'),
    ]);
  });

  it('a model, an SDK call and a fetch inside the app’s own retry each get the limit-only form, saying why', async () => {
    const cases: Array<[string, string]> = [
      ['ai-sdk-app-retry', `→ limitedGeminiModel(…): ${LIMIT_ONLY} (politely(…), which retries on 429 itself (line 20))`],
      ['sdk-retry-loop', `model.generateContent() → runGeminiLimited(() => …): ${LIMIT_ONLY} (a retry loop checking 429 / RESOURCE_EXHAUSTED at line 9)`],
      ['sdk-retry-wrapper', `chatModel.generateContent() → runGeminiLimited(() => …): ${LIMIT_ONLY} (withBackoff(…), which retries on 429 itself (line 6))`],
      ['fetch-retry-loop', `Gemini fetch → limitedGeminiFetch: ${LIMIT_ONLY} (a retry loop checking 429 / RESOURCE_EXHAUSTED at line 6)`],
    ];
    for (const [name, message] of cases) {
      const s = await runFixtureCase('gemini-queue', name);
      expect(s.changes.map((c) => c.message), name).toEqual([expect.stringContaining(message)]);
      expect(s.notes ?? [], name).toEqual([]);
    }
  });

  it('the same retries behind p-limit stay untouched: the app already bounds them', async () => {
    for (const [name, limiter] of [
      ['no-transform-ai-sdk-app-retry-p-limit', 'threeAtOnce(…) (p-limit) at line 22'],
      ['no-transform-retry-loop-p-limit', 'oneByOne(…) (p-limit) at line 9'],
    ]) {
      const s = await runFixtureCase('gemini-queue', name!);
      expect(s.changes, name).toEqual([]);
      expect(s.notes?.map((n) => n.message), name).toEqual([expect.stringContaining(limiter!)]);
    }
  });
});

describe('gemini-queue reasons (the ai package)', () => {
  it('an app that does not depend on `ai` gets no edit and no new dependency: needs a human, saying why', async () => {
    const s = await runFixtureCase('gemini-queue', 'no-transform-ai-sdk-no-ai-dep');
    expect(s.changes).toEqual([]);
    expect(s.candidates.map((c) => [c.line, c.message])).toEqual([[6, expect.stringContaining("does not list `ai` (genie-fix never adds it)")]]);
  });
});

describe("gemini-queue reasons (the caller's own key)", () => {
  it('a model made per request with the visitor’s own API key is left alone: quotas are per user', async () => {
    const s = await runFixtureCase('gemini-queue', 'no-transform-ai-sdk-caller-key');
    expect(s.changes).toEqual([]);
    expect(s.notes?.map((n) => [n.line, n.message])).toEqual([[8, expect.stringContaining('its API key (visitorKey) comes from the caller')]]);
  });

  it("says when a model's key may be a user's own with the app's as fallback: the queue is per process, not per key", async () => {
    const s = await runFixtureCase('gemini-queue', 'ai-sdk-key-from-settings');
    expect(s.changes.map((c) => c.message)).toEqual([
      expect.stringMatching(/→ queuedGeminiModel\(…\).*; its apiKey \(`workspace\?\.geminiKey \?\? process\.env\.GOOGLE_API_KEY`\) may be a user's own key, and calls made with one share this process-wide limit with the app's key$/),
    ]);
  });

  it('a key written into the code beside the env read is not called a user\'s key, and no output repeats it', async () => {
    const s = await runFixtureCase('gemini-queue', 'ai-sdk-hardcoded-fallback-key');
    const said = JSON.stringify([s.changes, s.candidates, s.notes ?? []]);
    expect(said).not.toContain('AIzaSy');
    expect(said).not.toContain("user's own key");
  });
});
