/**
 * The limit-only Gemini queue (gemini-limit-only.ts, gemini-limit-only-ai-sdk.ts), which gemini-queue puts in front
 * of calls the app already retries on 429 itself: concurrency is bounded, waiting is bounded, and nothing is retried
 * here, so the app's retries are not multiplied and its retry still sees the original error.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { APICallError, generateText } from 'ai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { limitedGeminiModel } from '../../codemods/templates/gemini-limit-only-ai-sdk.ts';
import { limitedGeminiFetch, runGeminiLimited } from '../../codemods/templates/gemini-limit-only.ts';
import { GeminiUnavailableError, configureGeminiQueue, geminiQueueStats } from '../../codemods/templates/gemini-queue.ts';
import { startMockGemini, type MockGemini } from '../../src/lab/mock-gemini.ts';
import { QUEUE_DEFAULTS as DEFAULTS, streamedText } from './gemini-test-kit.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let mock: MockGemini | undefined;
const servers: Server[] = [];
beforeEach(() => configureGeminiQueue({ ...DEFAULTS, minSpacingMs: 0 }));
afterEach(async () => {
  await mock?.close();
  mock = undefined;
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
  configureGeminiQueue(DEFAULTS);
});

/** A real HTTP server on port 0 counting requests; `answer` writes the response. */
async function serve(answer: (res: ServerResponse, req: IncomingMessage) => void | Promise<void>) {
  const seen = { requests: 0, inFlight: 0, maxInFlight: 0 };
  const server = createServer(async (req, res) => {
    seen.requests++;
    seen.inFlight++;
    seen.maxInFlight = Math.max(seen.maxInFlight, seen.inFlight);
    res.once('close', () => seen.inFlight--);
    req.resume();
    await answer(res, req);
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { seen, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const quota429 = (res: ServerResponse) => {
  res.writeHead(429, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { code: 429, status: 'RESOURCE_EXHAUSTED', message: 'quota', details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '0.05s' }] } }));
};

/** The app's own retry, as apps write it: try again on 429, a fixed number of times. */
async function appRetry<T>(attempt: () => Promise<T>, tries: number): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (n === tries || !String((error as { statusCode?: number }).statusCode ?? error).includes('429')) throw error;
      await sleep(5);
    }
  }
}

describe('limitedGeminiFetch / runGeminiLimited', () => {
  it('holds the limit for whole streamed bodies and retries nothing: a 429 is returned to the caller as is', async () => {
    configureGeminiQueue({ ...DEFAULTS, maxConcurrency: 2, minSpacingMs: 0 });
    let n = 0;
    const { seen, base } = await serve(async (res) => {
      if (n++ === 0) return quota429(res);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (let i = 0; i < 3; i++) {
        res.write(`data: {"part":${i}}\n\n`);
        await sleep(15);
      }
      res.end();
    });
    const statuses = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const response = await limitedGeminiFetch(`${base}/v1beta/models/gemini-2.0-flash:streamGenerateContent`, { method: 'POST', body: '{}' });
        await response.text();
        return response.status;
      }),
    );
    expect(statuses.filter((s) => s === 429)).toHaveLength(1);
    expect(seen.requests).toBe(8); // one each: the 429 was not retried here
    expect(seen.maxInFlight).toBe(2);
    expect(geminiQueueStats()).toMatchObject({ active: 0, retries: 0, maxActiveSeen: 2 });
  });

  it('gives up with GeminiUnavailableError when no slot frees within the wait bound, and frees the slot after an error', async () => {
    configureGeminiQueue({ ...DEFAULTS, maxConcurrency: 1, minSpacingMs: 0, maxWaitMs: 50 });
    const busy = runGeminiLimited(() => sleep(200).then(() => 'slow'));
    await expect(runGeminiLimited(async () => 'late')).rejects.toBeInstanceOf(GeminiUnavailableError);
    await expect(busy).resolves.toBe('slow');
    const original = Object.assign(new Error('quota'), { status: 429 });
    await expect(runGeminiLimited(() => Promise.reject(original))).rejects.toBe(original);
    await expect(runGeminiLimited(async () => 'free again')).resolves.toBe('free again');
  });
});

describe('limitedGeminiModel (AI SDK, behind the app’s own retry)', () => {
  it('the app’s retry sees the AI SDK’s own 429 error and its attempts are not multiplied', async () => {
    const { seen, base } = await serve((res) => quota429(res));
    const model = limitedGeminiModel(createGoogleGenerativeAI({ baseURL: `${base}/v1beta`, apiKey: 'test-key' })('gemini-2.0-flash'));
    const error = await appRetry(() => generateText({ model, prompt: 'hi', maxRetries: 0 }), 3).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(APICallError.isInstance(error)).toBe(true);
    expect((error as APICallError).statusCode).toBe(429);
    expect(seen.requests).toBe(3); // the app's 3 tries, nothing added
    expect(geminiQueueStats().retries).toBe(0);
  });

  it('never has more streams in flight than the limit, each holding its slot until read to the end', async () => {
    mock = await startMockGemini({ maxConcurrent: 10, ttftMs: 20, tokenDelayMs: 5, chunkChars: 8 });
    configureGeminiQueue({ ...DEFAULTS, maxConcurrency: 3, minSpacingMs: 0 });
    const model = limitedGeminiModel(createGoogleGenerativeAI({ baseURL: `${mock.url}/v1beta`, apiKey: 'test-key' })('gemini-2.0-flash'));
    const texts = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        return streamedText(model, `question ${i}`);
      }),
    );
    expect(texts.every((t) => t.length > 0)).toBe(true);
    expect(mock.stats().maxInFlight).toBe(3);
    expect(geminiQueueStats()).toMatchObject({ active: 0, maxActiveSeen: 3 });
  }, 30_000);
});
