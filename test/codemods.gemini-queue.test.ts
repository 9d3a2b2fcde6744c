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

describe('gemini-queue reasons (models called through the app’s own retry)', () => {
  it('models called from another module through a p-retry helper that handles 429 are left alone, naming the helper', async () => {
    const s = await runFixtureCase('gemini-queue', 'no-transform-ai-sdk-app-retry');
    expect(s.changes).toEqual([]);
    expect(s.notes?.map((n) => [n.file, n.message])).toEqual([
      ['lib/llm/models.ts', expect.stringContaining('its own 429 retry, retryOnRateLimit(…) at call.ts:17 (lib/llm/call.ts)')],
      ['lib/llm/models.ts', expect.stringContaining('its own 429 retry, retryOnRateLimit(…) at call.ts:17 (lib/llm/call.ts)')],
    ]);
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
});
