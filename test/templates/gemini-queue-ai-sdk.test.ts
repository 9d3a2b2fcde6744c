/**
 * The AI SDK queue middleware with the real `ai` (v6) and `@ai-sdk/google` provider against the mock Gemini:
 * what the codemod writes into apps (`queuedGeminiModel(google('gemini-…'))`) must hold the limit for whole
 * streams and carry every reply through a 429 storm, with bounded retries.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { generateText, streamText } from 'ai';
import { afterEach, describe, expect, it } from 'vitest';
import { queuedGeminiModel } from '../../codemods/templates/gemini-queue-ai-sdk.ts';
import { GeminiUnavailableError, configureGeminiQueue, geminiQueueStats } from '../../codemods/templates/gemini-queue.ts';
import { startMockGemini, type MockGemini } from '../../src/lab/mock-gemini.ts';
import { QUEUE_DEFAULTS as DEFAULTS, streamedText } from './gemini-test-kit.ts';


let mock: MockGemini | undefined;
const servers: Server[] = [];
afterEach(async () => {
  await mock?.close();
  mock = undefined;
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
  configureGeminiQueue(DEFAULTS);
});

function modelAt(baseURL: string) {
  return queuedGeminiModel(createGoogleGenerativeAI({ baseURL, apiKey: 'test-key' })('gemini-2.0-flash'));
}

describe('queuedGeminiModel (AI SDK middleware)', () => {
  it('never has more streams in flight than the limit, and each holds its slot until read to the end', async () => {
    // The mock would 429 a 4th concurrent request: any overrun shows up as a retry or in maxInFlight.
    mock = await startMockGemini({ maxConcurrent: 10, ttftMs: 20, tokenDelayMs: 5, chunkChars: 8 });
    configureGeminiQueue({ ...DEFAULTS, maxConcurrency: 3, minSpacingMs: 0 });
    const model = modelAt(`${mock.url}/v1beta`);
    const texts = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        return streamedText(model, `question ${i}`);
      }),
    );
    expect(texts.every((t) => t.length > 0)).toBe(true);
    const stats = mock.stats();
    expect(stats.accepted).toBe(12);
    expect(stats.maxInFlight).toBe(3);
    expect(geminiQueueStats().maxActiveSeen).toBe(3);
    expect(geminiQueueStats().active).toBe(0);
  }, 30_000);

  it('delivers every reply through a 429 storm, honouring RetryInfo', async () => {
    mock = await startMockGemini({ maxConcurrent: 5, requestsPerWindow: 8, windowMs: 1000, retryDelaySec: 0.5, ttftMs: 10, tokenDelayMs: 2 });
    configureGeminiQueue({ ...DEFAULTS, minSpacingMs: 20, maxRetries: 30, maxWaitMs: 30_000 });
    const model = modelAt(`${mock.url}/v1beta`);
    const replies = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        if (i % 2 === 0) return (await generateText({ model, prompt: `q${i}` })).text;
        return streamedText(model, `q${i}`);
      }),
    );
    expect(replies.filter((r) => r.length > 0).length).toBe(30);
    const stats = mock.stats();
    expect(stats.accepted).toBe(30);
    expect(stats.rejected429).toBeGreaterThan(0); // it really was a storm
    expect(stats.maxInFlight).toBeLessThanOrEqual(5);
    expect(geminiQueueStats().retries).toBeGreaterThan(0);
  }, 40_000);

  it('gives up after its own bounded retries, and the AI SDK does not retry on top', async () => {
    let requests = 0;
    const server = createServer((req, res) => {
      requests++;
      req.resume();
      res.writeHead(429, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 429, status: 'RESOURCE_EXHAUSTED', message: 'quota', details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '0.05s' }] } }));
    });
    servers.push(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    configureGeminiQueue({ ...DEFAULTS, minSpacingMs: 0, maxRetries: 2, baseDelayMs: 10 });
    const model = modelAt(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1beta`);
    const error = await generateText({ model, prompt: 'hi' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GeminiUnavailableError);
    // 1 attempt + 2 middleware retries; the SDK's own maxRetries (2) did not multiply them.
    expect(requests).toBe(3);
  }, 20_000);

  it('frees the slot when the caller stops reading a stream', async () => {
    mock = await startMockGemini({ ttftMs: 10, tokenDelayMs: 20, chunkChars: 4 });
    configureGeminiQueue({ ...DEFAULTS, maxConcurrency: 1, minSpacingMs: 0 });
    const model = modelAt(`${mock.url}/v1beta`);
    const abort = new AbortController();
    const first = streamText({ model, prompt: 'long', abortSignal: abort.signal });
    for await (const part of first.textStream) {
      if (part) break; // leaves after the first piece: cancels the stream
    }
    abort.abort();
    const second = await generateText({ model, prompt: 'next' });
    expect(second.text.length).toBeGreaterThan(0);
    expect(geminiQueueStats().forcedReleases).toBe(0);
  }, 20_000);
});
