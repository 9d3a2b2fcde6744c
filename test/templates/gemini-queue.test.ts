import { once } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  GeminiUnavailableError,
  configureGeminiQueue,
  geminiQueueStats,
  isPerDayQuota,
  queuedGeminiFetch,
  runGemini,
} from '../../codemods/templates/gemini-queue.ts';
import { startMockGemini } from '../../src/lab/mock-gemini.ts';
import { QUEUE_DEFAULTS as DEFAULTS, quotaBody } from './gemini-test-kit.ts';
import type { MockGemini } from '../../src/lab/mock-gemini.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Served {
  url: string;
  starts: number[];
  bodies: string[];
  inFlight: number;
  maxInFlight: number;
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});

/** A real HTTP server on port 0; `answer` gets the request number (0-based) and the body it sent. */
async function serve(answer: (n: number, res: ServerResponse, req: IncomingMessage) => void | Promise<void>): Promise<Served> {
  const served: Served = { url: '', starts: [], bodies: [], inFlight: 0, maxInFlight: 0 };
  const server = createServer(async (req, res) => {
    const n = served.starts.length;
    served.starts.push(performance.now());
    served.inFlight++;
    served.maxInFlight = Math.max(served.maxInFlight, served.inFlight);
    res.once('close', () => served.inFlight--);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    served.bodies.push(Buffer.concat(chunks).toString('utf8'));
    await answer(n, res, req);
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  served.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1beta/models/gemini-2.0-flash:generateContent`;
  return served;
}

function send429(res: ServerResponse, body: object, headers: Record<string, string> = {}) {
  res.writeHead(429, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

async function streamSlowly(res: ServerResponse, parts: number, delayMs: number) {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  for (let i = 0; i < parts; i++) {
    res.write(`data: {"part":${i}}\n\n`);
    await sleep(delayMs);
  }
  res.end();
}

const post = (body = '{"contents":[{"parts":[{"text":"hi"}]}]}'): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body,
});

beforeEach(() => configureGeminiQueue({ ...DEFAULTS, baseDelayMs: 20, maxDelayMs: 500, minSpacingMs: 10 }));

describe('queuedGeminiFetch: concurrency', () => {
  it('keeps at most maxConcurrency streams in flight until their bodies end, and really uses all of them', async () => {
    const served = await serve((_n, res) => streamSlowly(res, 8, 25));
    const texts = await Promise.all(
      Array.from({ length: 30 }, async () => (await queuedGeminiFetch(served.url, post())).text()),
    );
    expect(texts.every((t) => t.includes('"part":7'))).toBe(true);
    expect(served.maxInFlight).toBeLessThanOrEqual(5);
    expect(served.maxInFlight).toBe(5); // the memo's queue never got past 1
    expect(geminiQueueStats().maxActiveSeen).toBe(5);
    expect(geminiQueueStats().active).toBe(0);
  });

  it('spaces request starts by minSpacingMs', async () => {
    configureGeminiQueue({ ...DEFAULTS, minSpacingMs: 60 });
    const served = await serve((_n, res) => {
      res.end('{}');
    });
    // Timestamps taken where the request leaves (the real fetch, wrapped), so network jitter cannot blur them.
    const realFetch = globalThis.fetch;
    const starts: number[] = [];
    globalThis.fetch = (input, init) => {
      starts.push(performance.now());
      return realFetch(input, init);
    };
    try {
      await Promise.all(Array.from({ length: 6 }, async () => (await queuedGeminiFetch(served.url, post())).text()));
    } finally {
      globalThis.fetch = realFetch;
    }
    const gaps = starts.slice(1).map((t, i) => t - starts[i]!);
    expect(starts.length).toBe(6);
    // A start the event loop delays shortens the gap after it (never the queue's own spacing): on a loaded machine
    // single gaps jitter, so the bound is on the whole run, with a loose floor per gap. Unspaced starts are ~0 ms apart.
    const span = starts[5]! - starts[0]!;
    expect(span).toBeGreaterThanOrEqual(5 * 58);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(30);
  });

  it('frees the slot when the body is cancelled, and after maxHoldMs when it is never read', async () => {
    configureGeminiQueue({ ...DEFAULTS, maxConcurrency: 1, minSpacingMs: 0, maxHoldMs: 300 });
    const served = await serve((_n, res) => streamSlowly(res, 100, 20));
    const first = await queuedGeminiFetch(served.url, post());
    await first.body!.cancel();
    const before = performance.now();
    const second = await queuedGeminiFetch(served.url, post()); // would hang if cancel kept the slot
    const third = await queuedGeminiFetch(served.url, post()); // second is never read: safety release
    expect(performance.now() - before).toBeGreaterThanOrEqual(250);
    expect(geminiQueueStats().forcedReleases).toBe(1);
    await second.body!.cancel();
    await third.body!.cancel();
  });
});

describe('queuedGeminiFetch: retries', () => {
  it('does not retry sooner than RetryInfo.retryDelay and re-sends a stream body intact', async () => {
    const served = await serve((n, res) => {
      if (n === 0) send429(res, quotaBody('0.35s'));
      else res.end('{"ok":true}');
    });
    const payload = JSON.stringify({ contents: [{ parts: [{ text: 'x'.repeat(100_000) }] }] });
    const stream = new Blob([payload]).stream();
    const response = await queuedGeminiFetch(served.url, { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
    expect(await response.json()).toEqual({ ok: true });
    expect(served.starts.length).toBe(2);
    expect(served.starts[1]! - served.starts[0]!).toBeGreaterThanOrEqual(340);
    expect(served.bodies).toEqual([payload, payload]);
  });

  it('honours Retry-After when it says longer than retryDelay', async () => {
    const served = await serve((n, res) => {
      if (n === 0) send429(res, quotaBody('0.1s'), { 'retry-after': '1' });
      else res.end('{}');
    });
    expect((await queuedGeminiFetch(served.url, post())).status).toBe(200);
    expect(served.starts[1]! - served.starts[0]!).toBeGreaterThanOrEqual(990);
  });

  it('retries 503 and a 429 without details with backoff', async () => {
    const served = await serve((n, res) => {
      if (n === 0) return void res.writeHead(503).end('{"error":{"code":503,"status":"UNAVAILABLE"}}');
      if (n === 1) return send429(res, { error: { code: 429, message: 'Resource has been exhausted (e.g. check quota).' } });
      res.end('{}');
      return undefined;
    });
    expect((await queuedGeminiFetch(new Request(served.url, post()))).status).toBe(200);
    expect(served.starts.length).toBe(3);
    expect(served.bodies[2]).toBe(served.bodies[0]);
  });

  it('returns a PerDay 429 as is, without retrying', async () => {
    const body = quotaBody('1s', 'GenerateRequestsPerDayPerProjectPerModel-FreeTier');
    const served = await serve((_n, res) => send429(res, body));
    const response = await queuedGeminiFetch(served.url, post());
    expect(response.status).toBe(429);
    expect(await response.json()).toEqual(body);
    expect(served.starts.length).toBe(1);
  });

  it('throws GeminiUnavailableError once the retries are used up', async () => {
    configureGeminiQueue({ ...DEFAULTS, maxRetries: 2, baseDelayMs: 10, minSpacingMs: 0 });
    const served = await serve((_n, res) => send429(res, quotaBody(null)));
    const error = await queuedGeminiFetch(served.url, post()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GeminiUnavailableError);
    expect((error as GeminiUnavailableError).message).toMatch(/temporarily unavailable/);
    expect((error as GeminiUnavailableError).lastStatus).toBe(429);
    expect(served.starts.length).toBe(3);
  });

  it('bounds the total wait: a retryDelay beyond the budget fails at once, a long storm fails at the deadline', async () => {
    configureGeminiQueue({ ...DEFAULTS, maxWaitMs: 1000, maxRetries: 100, minSpacingMs: 0 });
    const far = await serve((_n, res) => send429(res, quotaBody('30s')));
    let started = performance.now();
    await expect(queuedGeminiFetch(far.url, post())).rejects.toBeInstanceOf(GeminiUnavailableError);
    expect(performance.now() - started).toBeLessThan(500);

    configureGeminiQueue({ ...DEFAULTS, maxWaitMs: 1000, maxRetries: 100, minSpacingMs: 0, baseDelayMs: 20 });
    const storm = await serve((_n, res) => send429(res, quotaBody('0.2s')));
    started = performance.now();
    await expect(queuedGeminiFetch(storm.url, post())).rejects.toBeInstanceOf(GeminiUnavailableError);
    expect(performance.now() - started).toBeLessThan(1300);
    expect(storm.starts.length).toBeGreaterThanOrEqual(3);
  });

  it('counts time in the queue against the wait bound', async () => {
    configureGeminiQueue({ ...DEFAULTS, maxConcurrency: 1, maxWaitMs: 300, minSpacingMs: 0 });
    const served = await serve((_n, res) => streamSlowly(res, 50, 20));
    const holder = await queuedGeminiFetch(served.url, post());
    const started = performance.now();
    await expect(queuedGeminiFetch(served.url, post())).rejects.toBeInstanceOf(GeminiUnavailableError);
    expect(performance.now() - started).toBeLessThan(600);
    await holder.body!.cancel();
    expect(geminiQueueStats().queued).toBe(0);
    // The abandoned waiter left no phantom slot behind: the next call gets through.
    served.starts.length = 0;
    const next = await queuedGeminiFetch(served.url, post());
    await next.body!.cancel();
    expect(served.starts.length).toBe(1);
  });
});

describe('queuedGeminiFetch against the mock Gemini', () => {
  let mock: MockGemini | undefined;
  afterEach(async () => {
    await mock?.close();
    mock = undefined;
  });

  it('delivers every one of 60 streamed chats through a 429 storm', async () => {
    mock = await startMockGemini({ maxConcurrent: 5, requestsPerWindow: 10, windowMs: 1000, retryDelaySec: 0.5, ttftMs: 30, tokenDelayMs: 2 });
    configureGeminiQueue({ ...DEFAULTS, minSpacingMs: 20, maxRetries: 30, maxWaitMs: 30_000 });
    const url = `${mock.url}/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse`;
    const replies = await Promise.all(
      Array.from({ length: 60 }, async (_, i) => {
        const response = await queuedGeminiFetch(url, post(JSON.stringify({ contents: [{ parts: [{ text: `q${i}` }] }] })));
        return { status: response.status, text: await response.text() };
      }),
    );
    const stats = mock.stats();
    expect(replies.filter((r) => r.status === 200 && r.text.includes('"finishReason":"STOP"')).length).toBe(60);
    expect(stats.accepted).toBe(60);
    expect(stats.rejected429).toBeGreaterThan(0); // it really was a storm
    expect(stats.maxInFlight).toBeLessThanOrEqual(5);
  }, 40_000);

  it('passes a PerDay 429 from the mock through without retrying', async () => {
    mock = await startMockGemini({ perDayQuota: 1, ttftMs: 1 });
    const url = `${mock.url}/v1beta/models/gemini-2.0-flash:generateContent`;
    expect((await queuedGeminiFetch(url, post())).status).toBe(200);
    const response = await queuedGeminiFetch(url, post());
    expect(response.status).toBe(429);
    expect(isPerDayQuota(await response.json())).toBe(true);
    expect(mock.stats().requests).toBe(2);
  });
});

describe('runGemini (SDK calls)', () => {
  it('retries an SDK 429 after its advertised delay, and not a PerDay one or other errors', async () => {
    const calls: number[] = [];
    const result = await runGemini(async () => {
      calls.push(performance.now());
      if (calls.length < 3) {
        // @google/genai's ApiError: status + the JSON body as its message
        throw Object.assign(new Error(JSON.stringify(quotaBody('0.2s'))), { name: 'ApiError', status: 429 });
      }
      return 'answer';
    });
    expect(result).toBe('answer');
    expect(calls[1]! - calls[0]!).toBeGreaterThanOrEqual(190);

    let perDayCalls = 0;
    const perDay = Object.assign(new Error('[GoogleGenerativeAI Error]: [429 Too Many Requests] quota'), {
      status: 429,
      errorDetails: quotaBody('1s', 'GenerateRequestsPerDayPerProjectPerModel-FreeTier').error.details,
    });
    await expect(runGemini(async () => { perDayCalls++; throw perDay; })).rejects.toBe(perDay);
    expect(perDayCalls).toBe(1);

    let otherCalls = 0;
    await expect(runGemini(async () => { otherCalls++; throw new Error('bad request'); })).rejects.toThrow('bad request');
    expect(otherCalls).toBe(1);
  });

  it('shares the concurrency limit with fetch calls', async () => {
    configureGeminiQueue({ ...DEFAULTS, maxConcurrency: 3, minSpacingMs: 0 });
    let active = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 20 }, () =>
        runGemini(async () => {
          peak = Math.max(peak, ++active);
          await sleep(15);
          active--;
        }),
      ),
    );
    expect(peak).toBe(3);
  });
});
