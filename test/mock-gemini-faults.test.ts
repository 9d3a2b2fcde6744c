import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { streamText } from 'ai';
import { createParser } from 'eventsource-parser';
import { afterEach, describe, expect, it } from 'vitest';
import { checkLongReply, longMarker } from '../src/lab/long-reply.ts';
import { EvenSchedule, MID_STREAM_ERROR_TAG, isMidStreamErrorReply } from '../src/lab/mock-gemini-faults.ts';
import { startMockGemini, type MockGemini, type MockGeminiOptions } from '../src/lab/mock-gemini.ts';
import { replyFor } from '../src/lab/mock-gemini-wire.ts';

const MODEL = 'gemini-2.0-flash';
const open: MockGemini[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((m) => m.close()));
});

async function mock(opts: MockGeminiOptions): Promise<MockGemini> {
  const m = await startMockGemini({ port: 0, ttftMs: 0, tokenDelayMs: 0, ...opts });
  open.push(m);
  return m;
}

function post(m: MockGemini, method: string, prompt: string, extra: object = {}, query = '') {
  return fetch(`${m.url}/v1beta/models/${MODEL}:${method}${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: prompt }] }], ...extra }),
  });
}
const stream = (m: MockGemini, prompt: string, extra: object = {}) => post(m, 'streamGenerateContent', prompt, extra, '?alt=sse');

interface Event {
  candidates?: Array<{ content: { parts: Array<{ text: string }> }; finishReason?: string }>;
  error?: { code: number; status: string; message: string };
}
function events(raw: string): Event[] {
  const out: Event[] = [];
  const parser = createParser({ onEvent: (e) => out.push(JSON.parse(e.data) as Event) });
  parser.feed(raw);
  return out;
}
const textOf = (evs: Event[]) => evs.map((e) => e.candidates?.[0]?.content.parts.map((p) => p.text).join('') ?? '').join('');

describe('EvenSchedule', () => {
  it('meets exactly floor(n × rate) faults, spread evenly', () => {
    const pick = (rate: number, n: number) => Array.from({ length: n }, ((s) => () => s.next())(new EvenSchedule(rate)));
    expect(pick(0.25, 8)).toEqual([false, false, false, true, false, false, false, true]);
    expect(pick(0.1, 100).filter(Boolean)).toHaveLength(10);
    expect(pick(0, 50).some(Boolean)).toBe(false);
    expect(pick(1, 5).every(Boolean)).toBe(true);
    expect(() => new EvenSchedule(1.5)).toThrow(RangeError);
  });
});

describe('mock Gemini faults', () => {
  it('answers a share of requests 503 UNAVAILABLE "overloaded", without using quota', async () => {
    const m = await mock({ overloadedRate: 0.5, requestsPerWindow: 2 });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await post(m, 'generateContent', `q${i}`);
      statuses.push(res.status);
      if (res.status === 503) {
        expect(res.headers.get('content-type')).toMatch(/^application\/json/);
        expect(await res.json()).toEqual({ error: { code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' } });
      } else await res.arrayBuffer();
    }
    // Two 503s, and the two accepted requests fit the window of 2: overload took no quota.
    expect(statuses).toEqual([200, 503, 200, 503]);
    expect(m.stats()).toMatchObject({ overloaded503: 2, accepted: 2, rejected429: 0, faults: { overloadedRate: 0.5 } });
  });

  it('sends 429s and 503s on streaming requests with a non-JSON content type when asked, JSON otherwise', async () => {
    const m = await mock({ requestsPerWindow: 1, nonJsonStreamErrors: true });
    await (await stream(m, 'first')).text();
    const streamed = await stream(m, 'second');
    expect(streamed.status).toBe(429);
    expect(streamed.headers.get('content-type')).toBe('text/event-stream');
    expect(JSON.parse(await streamed.text())).toMatchObject({ error: { code: 429, status: 'RESOURCE_EXHAUSTED' } });
    const plain = await post(m, 'generateContent', 'third');
    expect(plain.status).toBe(429);
    expect(plain.headers.get('content-type')).toMatch(/^application\/json/);
    await plain.arrayBuffer();
  });

  it('cuts a share of 200 streams with an error event after some chunks, tagged so the cut is recognisable', async () => {
    const m = await mock({ midStreamErrorRate: 0.5, midStreamErrorAfterChunks: 2, chunkChars: 10 });
    const first = await stream(m, 'Where is the spa?');
    expect(first.status).toBe(200);
    const whole = events(await first.text());
    expect(textOf(whole)).toBe(replyFor('Where is the spa?'));
    expect(whole.at(-1)!.candidates![0]!.finishReason).toBe('STOP');

    const second = await stream(m, 'Where is the spa?');
    expect(second.status).toBe(200);
    const cut = events(await second.text());
    expect(cut).toHaveLength(3);
    expect(cut[0]!.candidates![0]!.content.parts[0]!.text).toBe(MID_STREAM_ERROR_TAG);
    expect(cut[1]!.candidates![0]!.finishReason).toBeUndefined();
    expect(cut[2]).toMatchObject({ error: { code: 500, status: 'INTERNAL' } });
    expect(isMidStreamErrorReply(textOf(cut))).toBe(true);
    expect(isMidStreamErrorReply(textOf(whole))).toBe(false);
    expect(m.stats()).toMatchObject({ midStreamErrors: 1, accepted: 2 });
  });

  it('stops replies at maxOutputTokens (server cap or the request\'s own) with finishReason MAX_TOKENS', async () => {
    const m = await mock({ maxOutputTokens: 10 });
    const capped = events(await (await stream(m, 'Tell me about tender boats')).text());
    expect(textOf(capped)).toBe(replyFor('Tell me about tender boats').slice(0, 40));
    expect(capped.at(-1)!.candidates![0]!.finishReason).toBe('MAX_TOKENS');
    const own = (await (await post(m, 'generateContent', 'Tell me', { generationConfig: { maxOutputTokens: 5 } })).json()) as Event;
    expect(textOf([own])).toHaveLength(20);
    expect(own.candidates![0]!.finishReason).toBe('MAX_TOKENS');
    expect(m.stats().maxTokensFinishes).toBe(2);
  });

  it('leaves long replies (the integrity instrument) untouched by every fault', async () => {
    const m = await mock({ overloadedRate: 1, midStreamErrorRate: 1, maxOutputTokens: 1 });
    const res = await stream(m, `hello ${longMarker(200_000)}`);
    expect(res.status).toBe(200);
    expect(checkLongReply(textOf(events(await res.text())))).toEqual({ ok: true, expectedChars: 200_000, receivedChars: 200_000 });
    expect((await post(m, 'generateContent', 'short')).status).toBe(503);
  });

  it('rejects bad fault options by name', async () => {
    await expect(startMockGemini({ overloadedRate: 2 })).rejects.toThrow(/overloadedRate must be a fraction from 0 to 1/);
    await expect(startMockGemini({ midStreamErrorAfterChunks: 0 })).rejects.toThrow(/midStreamErrorAfterChunks must be a whole number ≥ 1/);
  });
});

describe('the real AI SDK Google provider against the strict mock', () => {
  const provider = (m: MockGemini) => createGoogleGenerativeAI({ baseURL: `${m.url}/v1beta`, apiKey: 'test-key' })(MODEL);

  it('reads the default \\r\\n\\r\\n events whole', async () => {
    const m = await mock({ chunkChars: 7 });
    const result = streamText({ model: provider(m), prompt: 'Is the pool heated?', maxRetries: 0 });
    expect(await result.text).toBe(replyFor('Is the pool heated?'));
    expect(await result.finishReason).toBe('stop');
  });

  it('reports a MAX_TOKENS finish as "length" and a mid-stream error as an error part', async () => {
    const capped = await mock({ maxOutputTokens: 5 });
    const r1 = streamText({ model: provider(capped), prompt: 'Dinner times?', maxRetries: 0 });
    expect(await r1.text).toHaveLength(20);
    expect(await r1.finishReason).toBe('length');

    const cutting = await mock({ midStreamErrorRate: 1 });
    const r2 = streamText({ model: provider(cutting), prompt: 'Dinner times?', maxRetries: 0, onError: () => undefined });
    const kinds: string[] = [];
    for await (const part of r2.fullStream) kinds.push(part.type);
    expect(kinds).toContain('error');
  });
});

describe('lab up --gemini-faults', () => {
  it('parses the list into the mock\'s options, naming a bad entry', async () => {
    const { parseGeminiFaults } = await import('../src/lab/mock-gemini-options.ts');
    expect(parseGeminiFaults('mid-stream-error-rate=0.2, overloaded-rate=0.1,max-output-tokens=200,non-json-stream-errors,lf,mid-stream-error-after=3')).toEqual({
      midStreamErrorRate: 0.2,
      overloadedRate: 0.1,
      maxOutputTokens: 200,
      nonJsonStreamErrors: true,
      separator: '\n\n',
      midStreamErrorAfterChunks: 3,
    });
    expect(() => parseGeminiFaults('overloaded-rate=2')).toThrow(/overloaded-rate needs a fraction from 0 to 1/);
    expect(() => parseGeminiFaults('slow')).toThrow(/unknown fault "slow"; choose from/);
  });

  it('rejects a bad list with exit 2 before starting anything', async () => {
    const { main } = await import('../src/cli.ts');
    const write = process.stderr.write.bind(process.stderr);
    let stderr = '';
    process.stderr.write = ((chunk: string) => ((stderr += chunk), true)) as typeof process.stderr.write;
    try {
      expect(await main(['node', 'genie-fix', 'lab', 'up', '--lab-dir', '/nonexistent/genie-lab', '--gemini-faults', 'max-output-tokens=0'])).toBe(2);
    } finally {
      process.stderr.write = write;
    }
    expect(stderr).toMatch(/--gemini-faults: max-output-tokens needs a whole number ≥ 1/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
