import { createParser } from 'eventsource-parser';
import { afterEach, describe, expect, it } from 'vitest';
import { checkLongReply, longMarker } from '../src/lab/long-reply.ts';
import { startMockGemini, type MockGemini, type MockGeminiOptions } from '../src/lab/mock-gemini.ts';

const MODEL = 'gemini-2.0-flash';
const open: MockGemini[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((m) => m.close()));
});

async function mock(opts: MockGeminiOptions): Promise<MockGemini> {
  const m = await startMockGemini({ port: 0, ...opts });
  open.push(m);
  return m;
}

const body = (prompt: string) => JSON.stringify({ contents: [{ role: 'user', parts: [{ text: prompt }] }] });

function post(m: MockGemini, method: string, prompt: string, init: { query?: string; headers?: Record<string, string>; signal?: AbortSignal } = {}) {
  return fetch(`${m.url}/v1beta/models/${MODEL}:${method}${init.query ?? ''}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...init.headers },
    body: body(prompt),
    signal: init.signal,
  });
}

const stream = (m: MockGemini, prompt: string, init: Parameters<typeof post>[3] = {}) =>
  post(m, 'streamGenerateContent', prompt, { ...init, query: '?alt=sse' });

interface GeminiChunk {
  candidates: Array<{ content: { parts: Array<{ text: string }>; role: string }; finishReason?: string; index: number }>;
  usageMetadata: { promptTokenCount: number; candidatesTokenCount: number; totalTokenCount: number };
  modelVersion: string;
}

/** Parses SSE with an independent parser, fed in pieces cut at the given sizes (cycled). */
function parseSse(raw: string, pieceSizes: number[]): GeminiChunk[] {
  const events: GeminiChunk[] = [];
  const parser = createParser({ onEvent: (e) => events.push(JSON.parse(e.data) as GeminiChunk) });
  for (let i = 0, k = 0; i < raw.length; k++) {
    const size = pieceSizes[k % pieceSizes.length]!;
    parser.feed(raw.slice(i, i + size));
    i += size;
  }
  return events;
}

const textOf = (chunks: GeminiChunk[]) => chunks.map((c) => c.candidates[0]!.content.parts.map((p) => p.text).join('')).join('');

/** Seconds in a protobuf Duration string such as "1s" or "1.5s". */
function durationSec(value: string): number {
  expect(value).toMatch(/^\d+(\.\d+)?s$/);
  return Number(value.slice(0, -1));
}

interface GoogleError {
  error: { code: number; message: string; status: string; details?: Array<Record<string, unknown>> };
}

function retryDelayOf(err: GoogleError): number {
  const info = err.error.details!.find((d) => d['@type'] === 'type.googleapis.com/google.rpc.RetryInfo')!;
  return durationSec(info.retryDelay as string);
}

function quotaIdOf(err: GoogleError): string {
  const failure = err.error.details!.find((d) => d['@type'] === 'type.googleapis.com/google.rpc.QuotaFailure')!;
  return (failure.violations as Array<{ quotaId: string }>)[0]!.quotaId;
}

describe('mock Gemini: replies', () => {
  it('streams SSE deltas ending in \\r\\n\\r\\n by default (as Google), the last with finishReason STOP', async () => {
    const m = await mock({ ttftMs: 30, tokenDelayMs: 2 });
    const res = await stream(m, 'Where is the buffet?');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const raw = await res.text();
    expect(raw).toMatch(/^(data: [^\r\n]+\r\n\r\n)+$/);
    // Any cut of the byte stream must parse to the same events.
    const events = parseSse(raw, [raw.length]);
    expect(events.length).toBeGreaterThan(5);
    expect(parseSse(raw, [1])).toEqual(events);
    expect(parseSse(raw, [7, 1, 50, 3, 200])).toEqual(events);
    expect(events.slice(0, -1).every((e) => e.candidates[0]!.finishReason === undefined)).toBe(true);
    expect(events.at(-1)!.candidates[0]!.finishReason).toBe('STOP');
    expect(events[0]).toMatchObject({ candidates: [{ content: { role: 'model' }, index: 0 }], modelVersion: MODEL });
    expect(events.at(-1)!.usageMetadata.candidatesTokenCount).toBeGreaterThan(events[0]!.usageMetadata.candidatesTokenCount);

    const whole = (await (await post(m, 'generateContent', 'Where is the buffet?')).json()) as GeminiChunk;
    expect(textOf(events)).toBe(textOf([whole]));
    expect(whole.candidates[0]!.finishReason).toBe('STOP');
  });

  it('ends events with \\n\\n when configured, parseable across any cut', async () => {
    const m = await mock({ ttftMs: 10, tokenDelayMs: 1, separator: '\n\n' });
    const raw = await (await stream(m, 'Tender tickets?')).text();
    expect(raw).toMatch(/^(data: [^\r\n]+\n\n)+$/);
    const events = parseSse(raw, [raw.length]);
    expect(parseSse(raw, [1])).toEqual(events);
    expect(parseSse(raw, [2, 3, 5, 8, 13])).toEqual(events);
    expect(events.at(-1)!.candidates[0]!.finishReason).toBe('STOP');
  });

  it('answers deterministically from the prompt', async () => {
    const m = await mock({ ttftMs: 0, tokenDelayMs: 0 });
    const ask = async (p: string) => textOf([(await (await post(m, 'generateContent', p)).json()) as GeminiChunk]);
    const a1 = await ask('When do we leave Naples?');
    expect(await ask('When do we leave Naples?')).toBe(a1);
    const b = await ask('Is there a gym?');
    expect(b).not.toBe(a1);
    expect(a1).toMatch(/^Cruise Guide Genie here \(ref [0-9a-f]{8}\)\. About "When do we leave Naples\?"/);
  });

  it('streams a JSON array without alt=sse', async () => {
    const m = await mock({ ttftMs: 0, tokenDelayMs: 0 });
    const res = await post(m, 'streamGenerateContent', 'Currency on board?');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const arr = (await res.json()) as GeminiChunk[];
    expect(Array.isArray(arr)).toBe(true);
    expect(arr.length).toBeGreaterThan(1);
    expect(arr.at(-1)!.candidates[0]!.finishReason).toBe('STOP');
    const whole = (await (await post(m, 'generateContent', 'Currency on board?')).json()) as GeminiChunk;
    expect(textOf(arr)).toBe(textOf([whole]));
  });

  it('answers health, unknown paths, bad bodies and API keys like Google', async () => {
    const m = await mock({ ttftMs: 0, apiKey: 'test-key-123' });
    expect((await fetch(`${m.url}/health`)).status).toBe(200);
    const notFound = await fetch(`${m.url}/v1beta/nothing`);
    expect(notFound.status).toBe(404);
    expect(((await notFound.json()) as GoogleError).error).toMatchObject({ code: 404, status: 'NOT_FOUND' });

    const url = `${m.url}/v1beta/models/${MODEL}:generateContent`;
    const noKey = await fetch(url, { method: 'POST', body: body('hi') });
    expect(noKey.status).toBe(403);
    expect(((await noKey.json()) as GoogleError).error.status).toBe('PERMISSION_DENIED');
    const wrongKey = await fetch(`${url}?key=nope`, { method: 'POST', body: body('hi') });
    expect(wrongKey.status).toBe(400);
    expect(((await wrongKey.json()) as GoogleError).error).toMatchObject({ status: 'INVALID_ARGUMENT', message: expect.stringMatching(/API key not valid/) });
    expect((await fetch(`${url}?key=test-key-123`, { method: 'POST', body: body('hi') })).status).toBe(200);
    expect((await fetch(url, { method: 'POST', body: body('hi'), headers: { 'x-goog-api-key': 'test-key-123' } })).status).toBe(200);

    const malformed = await fetch(`${url}?key=test-key-123`, { method: 'POST', body: '{"contents": [' });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as GoogleError).error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
    const noContents = await fetch(`${url}?key=test-key-123`, { method: 'POST', body: '{}' });
    expect(noContents.status).toBe(400);
    expect(m.stats()).toMatchObject({ accepted: 2, rejected429: 0 });
  });
});

describe('mock Gemini: quota', () => {
  it('answers exactly the streams over maxConcurrent with 429, counting a stream until it ends', async () => {
    const m = await mock({ maxConcurrent: 4, ttftMs: 200, tokenDelayMs: 5, retryDelaySec: 1 });
    const responses = await Promise.all(Array.from({ length: 7 }, (_, i) => stream(m, `question ${i}`)));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(4);
    expect(statuses.filter((s) => s === 429)).toHaveLength(3);
    expect(m.stats()).toMatchObject({ requests: 7, accepted: 4, rejected429: 3, inFlight: 4, maxInFlight: 4 });

    const rejected = (await responses.find((r) => r.status === 429)!.json()) as GoogleError;
    expect(rejected.error.status).toBe('RESOURCE_EXHAUSTED');
    expect(retryDelayOf(rejected)).toBe(1);
    await Promise.all(responses.filter((r) => !r.bodyUsed).map((r) => r.text()));
    await new Promise((r) => setTimeout(r, 20));
    expect(m.stats()).toMatchObject({ inFlight: 0, maxInFlight: 4, rejectedBy: { concurrency: 3, window: 0, day: 0 } });
    expect((await stream(m, 'after')).status).toBe(200);
  });

  it('frees the slot of a client that disconnects mid-stream', async () => {
    const m = await mock({ maxConcurrent: 1, ttftMs: 0, tokenDelayMs: 50 });
    const ac = new AbortController();
    const first = await stream(m, 'long story', { signal: ac.signal });
    expect(first.status).toBe(200);
    expect((await stream(m, 'second')).status).toBe(429);
    ac.abort();
    await new Promise((r) => setTimeout(r, 50));
    expect(m.stats().inFlight).toBe(0);
    const third = await stream(m, 'third');
    expect(third.status).toBe(200);
    await third.body!.cancel();
  });

  it('limits accepted requests per window, with an honest retry delay; rejections do not count', async () => {
    const m = await mock({ requestsPerWindow: 3, windowMs: 1200, retryDelaySec: 0.5, ttftMs: 0 });
    for (let i = 0; i < 3; i++) expect((await post(m, 'generateContent', `q${i}`)).status).toBe(200);
    const over = await post(m, 'generateContent', 'q3');
    const rejectedAt = Date.now();
    expect(over.status).toBe(429);
    const err = (await over.json()) as GoogleError;
    expect(quotaIdOf(err)).toBe('GenerateRequestsPerMinutePerProjectPerModel-FreeTier');
    // The first slot frees 1.2 s after the first request: rounded up that is 1 s or 2 s, never below 0.5 s.
    const delay = retryDelayOf(err);
    expect([1, 2]).toContain(delay);
    const retryIn = Number(/Please retry in ([\d.]+)s\./.exec(err.error.message)![1]);
    expect(retryIn).toBeGreaterThan(0);
    expect(retryIn).toBeLessThanOrEqual(1.2);
    expect(Math.ceil(retryIn)).toBeLessThanOrEqual(delay);
    for (let i = 0; i < 5; i++) expect((await post(m, 'generateContent', 'again')).status).toBe(429);

    // Retrying when the message says must succeed.
    await new Promise((r) => setTimeout(r, Math.max(0, rejectedAt + retryIn * 1000 + 30 - Date.now())));
    expect((await post(m, 'generateContent', 'later')).status).toBe(200);
    expect(m.stats()).toMatchObject({ requests: 10, accepted: 4, rejected429: 6, rejectedBy: { window: 6 } });
  });

  it('says PerDay when the day quota is spent, with a long retry delay', async () => {
    const m = await mock({ perDayQuota: 2, ttftMs: 0 });
    expect((await post(m, 'generateContent', 'a')).status).toBe(200);
    expect((await post(m, 'generateContent', 'b')).status).toBe(200);
    const over = await post(m, 'generateContent', 'c');
    expect(over.status).toBe(429);
    const err = (await over.json()) as GoogleError;
    expect(quotaIdOf(err)).toContain('PerDay');
    expect(retryDelayOf(err)).toBeGreaterThan(3600);
    m.resetQuota();
    expect((await post(m, 'generateContent', 'd')).status).toBe(200);
  });

  it("has Google's 429 body shape, fractional retry delays included", async () => {
    const m = await mock({ maxConcurrent: 1, retryDelaySec: 1.5, ttftMs: 300 });
    const held = stream(m, 'hold the slot');
    await new Promise((r) => setTimeout(r, 50));
    const res = await post(m, 'generateContent', 'over');
    expect(res.status).toBe(429);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({
      error: {
        code: 429,
        message: expect.stringMatching(/^You exceeded your current quota, please check your plan and billing details\..*Please retry in 1\.5s\.$/s),
        status: 'RESOURCE_EXHAUSTED',
        details: [
          { '@type': 'type.googleapis.com/google.rpc.Help', links: [{ description: expect.any(String), url: expect.stringMatching(/^https:\/\//) }] },
          {
            '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
            violations: [
              {
                quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests',
                quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier',
                quotaDimensions: { location: 'global', model: MODEL },
              },
            ],
          },
          { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '1.5s' },
        ],
      },
    });
    await (await held).text();
  });

  it('counts requests and resets its stats', async () => {
    const m = await mock({ maxConcurrent: 2, ttftMs: 100, tokenDelayMs: 1 });
    const rs = await Promise.all([1, 2, 3].map((i) => stream(m, `s${i}`)));
    await Promise.all(rs.map((r) => r.text()));
    const faults = { overloadedRate: 0, midStreamErrorRate: 0, midStreamErrorAfterChunks: 2, maxOutputTokens: undefined, nonJsonStreamErrors: false };
    const noFaults = { overloaded503: 0, midStreamErrors: 0, maxTokensFinishes: 0, faults };
    expect(m.stats()).toEqual({ requests: 3, accepted: 2, rejected429: 1, rejectedBy: { day: 0, window: 0, concurrency: 1 }, maxInFlight: 2, inFlight: 0, ...noFaults });
    m.resetStats();
    expect(m.stats()).toEqual({ requests: 0, accepted: 0, rejected429: 0, rejectedBy: { day: 0, window: 0, concurrency: 0 }, maxInFlight: 0, inFlight: 0, ...noFaults });
  });
});

describe('mock Gemini: long replies', () => {
  it('streams a 2 MB reply whole, in ~16 KB events, fast', async () => {
    const m = await mock({ ttftMs: 50, tokenDelayMs: 20 });
    const size = 2_000_000;
    const t0 = performance.now();
    const res = await stream(m, `Tell me everything. ${longMarker(size)}`);
    const raw = await res.text();
    const ms = performance.now() - t0;
    const events = parseSse(raw, [65_536]);
    const text = textOf(events);
    expect(text.length).toBe(size);
    expect(checkLongReply(text)).toEqual({ ok: true, expectedChars: size, receivedChars: size });
    expect(events.length).toBe(Math.ceil(size / 16_384));
    expect(events.at(-1)!.candidates[0]!.finishReason).toBe('STOP');
    expect(ms).toBeLessThan(5000);
    console.log(`2 MB long reply: ${events.length} events, ${raw.length} bytes on the wire, ${ms.toFixed(0)} ms`);

    // The same text with 500 KB gone from the middle, as a truncating client would see it.
    const holed = text.slice(0, 800_000) + text.slice(1_300_000);
    const check = checkLongReply(holed);
    expect(check.ok).toBe(false);
    expect(check.firstGapAtLine).toBeGreaterThan(9000);
    expect(check.firstGapAtLine).toBeLessThan(10_100);
    expect(checkLongReply(text.slice(0, 1_000_000)).ok).toBe(false);
  });

  it('takes the size from the x-genie-long header too, and works without streaming', async () => {
    const m = await mock({ ttftMs: 0, separator: '\r\n\r\n' });
    const raw = await (await stream(m, 'plain question', { headers: { 'x-genie-long': '300000' } })).text();
    const text = textOf(parseSse(raw, [4093]));
    expect(checkLongReply(text)).toEqual({ ok: true, expectedChars: 300_000, receivedChars: 300_000 });
    const whole = (await (await post(m, 'generateContent', longMarker(120_000))).json()) as GeminiChunk;
    expect(checkLongReply(textOf([whole])).ok).toBe(true);
    expect((await post(m, 'generateContent', longMarker(5))).status).toBe(400);
  });
});
