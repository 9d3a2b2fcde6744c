/**
 * gemini-429 and buffer-truncation against a real node:http chat app that answers in each stream
 * format (the AI SDK's own helpers where ai 6 has them), in front of mock-gemini — or of a
 * Gemini-compatible server that is not the mock, as a deployment on real Gemini is — then judged
 * by the default preset as diagnose does.
 */
import http from 'node:http';
import type net from 'node:net';
import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { streamText } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bufferTruncation } from '../scenarios/buffer-truncation.ts';
import { gemini429 } from '../scenarios/gemini-429.ts';
import type { Scenario, ScenarioContext } from '../scenarios/types.ts';
import { parseConfig } from '../src/config.ts';
import { judge } from '../src/diagnose/rules.ts';
import { startMockGemini, type MockGemini } from '../src/lab/mock-gemini.ts';
import { CookieJar } from '../src/load/cookies.ts';
import { HttpClient } from '../src/load/http.ts';
import { SessionPool } from '../src/load/sessions.ts';
import { loadPreset, verdictFrom } from '../src/report/thresholds.ts';

const MODEL = 'gemini-2.0-flash';
const servers: http.Server[] = [];
const mocks: Record<'gemini' | 'tight' | 'cutting', MockGemini> = {} as never;
/** Gemini-compatible, but not the mock: ignores the long-reply marker, as Google does. */
let google: { url: string; requests: number };
let statsUrl: string;
let appUrl: string;

async function listen(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

async function bodyOf(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Deltas with the middle fifth of a long reply dropped, as a capped-and-cut buffer loses it. */
async function* holed(deltas: AsyncIterable<string>, drop: boolean): AsyncIterable<string> {
  let at = 0;
  let total = 0;
  for await (const d of deltas) {
    if (total === 0) total = Number(/chars=(\d+)/.exec(d)?.[1] ?? 0);
    const inHole = drop && total > 0 && at > total * 0.4 && at < total * 0.6;
    at += d.length;
    if (!inHole) yield d;
  }
}

/** /<format>?up=<gemini|tight|cutting|google>[&hole] */
async function chatRoute(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://app.invalid');
  const body = JSON.parse(await bodyOf(req)) as { message?: string; question?: string };
  const message = body.message ?? body.question ?? '';
  if (url.searchParams.has('bearer') && req.headers.authorization !== 'Bearer t0k') return void res.writeHead(401).end();
  const up = url.searchParams.get('up') ?? 'gemini';
  const base = up === 'google' ? google.url : mocks[up as keyof typeof mocks].url;
  const model = createGoogleGenerativeAI({ baseURL: `${base}/v1beta`, apiKey: 'k' })(MODEL);
  // Made per route: streamText calls Gemini as soon as it is created.
  const result = () => streamText({ model, prompt: message, maxRetries: 0, onError: () => undefined });
  const deltas = () => holed(result().textStream, url.searchParams.has('hole'));
  switch (url.pathname) {
    case '/text':
      if (!url.searchParams.has('hole')) return result().pipeTextStreamToResponse(res);
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      for await (const d of deltas()) res.write(d);
      return void res.end();
    case '/ui':
      return result().pipeUIMessageStreamToResponse(res);
    case '/data': {
      // As the sample app does: text parts, then a finish part that says whether Gemini failed.
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'x-vercel-ai-data-stream': 'v1' });
      const r = result();
      let failed = false;
      for await (const part of r.fullStream) {
        if (part.type === 'text-delta') res.write(`0:${JSON.stringify(part.text)}\n`);
        if (part.type === 'error') failed = true;
      }
      return void res.end(`d:${JSON.stringify({ finishReason: failed ? 'error' : 'stop' })}\n`);
    }
    case '/data-holed':
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'x-vercel-ai-data-stream': 'v1' });
      for await (const d of deltas()) res.write(`0:${JSON.stringify(d)}\n`);
      return void res.end(`d:${JSON.stringify({ finishReason: 'stop' })}\n`);
    case '/ndjson':
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      for await (const d of deltas()) res.write(`${JSON.stringify({ text: d })}\n`);
      return void res.end(`${JSON.stringify({ done: true })}\n`);
    case '/gemini': {
      const r = await fetch(`${base}/v1beta/models/${MODEL}:streamGenerateContent?alt=sse`, {
        method: 'POST',
        body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: message }] }] }),
      });
      res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'text/event-stream' });
      for await (const chunk of r.body as unknown as AsyncIterable<Uint8Array>) res.write(chunk);
      return void res.end();
    }
    default:
      res.writeHead(404).end();
  }
}

beforeAll(async () => {
  const quick = { port: 0, ttftMs: 0, tokenDelayMs: 0, chunkChars: 40 };
  mocks.gemini = await startMockGemini(quick);
  mocks.tight = await startMockGemini({ ...quick, ttftMs: 300, maxConcurrent: 2 });
  mocks.cutting = await startMockGemini({ ...quick, midStreamErrorRate: 0.5 });
  google = { url: '', requests: 0 };
  google.url = await listen((req, res) => {
    google.requests++;
    void bodyOf(req).then(() => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const event = { candidates: [{ content: { parts: [{ text: 'I cannot write a reply that long, but here is a short one.' }], role: 'model' }, finishReason: 'STOP', index: 0 }] };
      res.end(`data: ${JSON.stringify(event)}\r\n\r\n`);
    });
  });
  statsUrl = `${await listen((_req, res) => res.end(JSON.stringify({ gemini: mocks.cutting.stats() })))}/stats`;
  appUrl = await listen((req, res) => {
    chatRoute(req, res).catch((err: unknown) => res.destroy(err as Error));
  });
});

afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  await Promise.all(Object.values(mocks).map((m) => m.close()));
});

async function run(scenario: Scenario, chat: string, opts: { users?: number; lab?: boolean; target?: object } = {}) {
  const client = new HttpClient(appUrl, new AbortController().signal, 16);
  const payloads = { longReplyChars: 300_000, longReplyStreams: 3, longReplyConcurrency: 3 };
  const config = parseConfig(opts.target ? { version: 1, target: opts.target, payloads } : { routes: { chat }, payloads });
  const ctx: ScenarioContext = {
    baseUrl: appUrl,
    users: opts.users ?? 8,
    config,
    signal: AbortSignal.timeout(60_000),
    progress: () => undefined,
    client,
    sessions: new SessionPool([{ email: 'a@b.c', jar: new CookieJar() }], 0, ''),
    lab: opts.lab ? { labDir: '/nonexistent', appGroups: [], statsUrl } : undefined,
  };
  try {
    const outcome = await scenario.run(ctx);
    const verdict = outcome.unmeasured?.verdict ?? verdictFrom(judge(scenario.id, outcome.metrics, loadPreset('default'), undefined));
    return { ...outcome, verdict };
  } finally {
    await client.close();
  }
}

const FORMATS = [
  ['/text', 'text'],
  ['/ui', 'ui-message-stream'],
  ['/data', 'data-stream'],
  ['/gemini', 'gemini-sse'],
  ['/ndjson', 'ndjson'],
] as const;

describe('buffer-truncation judges every stream format', () => {
  it.each(FORMATS)('%s: whole long replies pass', async (path, format) => {
    const r = await run(bufferTruncation, `${path}?up=gemini`);
    expect(r.verdict).toBe('pass');
    expect(r.metrics).toMatchObject({ streams: 3, selfChecking: 3, complete: 3, truncated: 0, streamFormat: format, expectedChars: 900_000, receivedChars: 900_000, bytesReceived: 900_000 });
  });

  it.each(['/text', '/data-holed', '/ndjson'])('%s: a reply with its middle dropped fails, with the gap named in chars', async (path) => {
    const r = await run(bufferTruncation, `${path}?up=gemini&hole`);
    expect(r.verdict).toBe('fail');
    expect(r.metrics).toMatchObject({ selfChecking: 3, truncated: 3 });
    expect(r.metrics.receivedChars).toBeLessThan(900_000);
    expect(r.evidence[0]!.samples![0]).toMatchObject({ reason: expect.stringMatching(/chars missing, first gap in line/) });
  });

  it('skips, with the reason and how to point the app at the mock, when the app\'s Gemini is not the mock', async () => {
    const before = google.requests;
    for (const path of ['/text', '/ui']) {
      const r = await run(bufferTruncation, `${path}?up=google`);
      expect(r.verdict).toBe('skip');
      expect(r.unmeasured!.reason).toMatch(/^replies are not self-checking: 1 of 1 long-reply requests came back as ordinary text \(first: "I cannot write/);
      expect(r.unmeasured!.reason).toMatch(/genie-fix mock-gemini --port 8787.*GEMINI_BASE_URL=http:\/\/127\.0\.0\.1:8787/);
    }
    // One probe each: the user's real Gemini quota is not spent on the rest.
    expect(google.requests - before).toBe(2);
  });

  it('is an error, not a skip, when the lab says the Gemini is the mock yet no long reply came', async () => {
    const r = await run(bufferTruncation, '/text?up=google', { lab: true });
    expect(r.verdict).toBe('error');
    expect(r.unmeasured!.reason).toMatch(/though the lab's Gemini is mock-gemini/);
  });
});

describe('the chat request a target description names', () => {
  const target = (path: string) => ({
    session: { kind: 'none' },
    chat: { request: { method: 'POST', path, json: { question: '{{message}}' }, headers: { authorization: 'Bearer t0k' } }, streamFormat: 'auto' },
  });

  it('is what both chat scenarios send (body field, headers), and what their messages name', async () => {
    const chats = await run(gemini429, '', { target: target('/text?up=gemini&bearer') });
    expect(chats.metrics).toMatchObject({ chats: 8, aiFailures: 0, streamFormat: 'text' });
    const long = await run(bufferTruncation, '', { target: target('/ui?up=gemini&bearer') });
    expect(long.metrics).toMatchObject({ selfChecking: 3, complete: 3, streamFormat: 'ui-message-stream' });
    await expect(run(gemini429, '', { target: target('/nowhere') })).rejects.toThrow(/^POST \/nowhere answered HTTP 404 .* set target\.chat\.request in --config/);
  });
});

describe('gemini-429 judges every stream format', () => {
  it.each(FORMATS)('%s: chats within quota pass (a plain-text reply is not an "empty reply")', async (path, format) => {
    const r = await run(gemini429, `${path}?up=gemini`);
    expect(r.metrics).toMatchObject({ chats: 8, aiFailures: 0, streamFormat: format });
    expect(r.metrics.midStreamErrors).toBeUndefined();
    expect(r.verdict).toBe('pass');
  });

  it.each([
    ['/text', 'emptyReply'],
    ['/ui', 'errorPart'],
    ['/data', 'finishError'],
  ] as const)('%s: Gemini 429s reach the user and fail the scenario, seen as %s', async (path, kind) => {
    const r = await run(gemini429, `${path}?up=tight`);
    expect(r.verdict).toBe('fail');
    const kinds = r.metrics.failuresByKind as Record<string, number>;
    expect(kinds[kind]).toBeGreaterThan(0);
    expect(r.metrics.aiFailures).toBe(Object.values(kinds).reduce((a, b) => a + b, 0));
  });

  it('shows how the app passes on a Gemini failure mid-reply: an error part (UI stream) or silent truncation (plain text)', async () => {
    const ui = await run(gemini429, '/ui?up=cutting', { lab: true });
    const ms = ui.metrics.midStreamErrors as Record<string, number>;
    expect(ms.cut).toBeGreaterThan(0);
    expect(ms).toMatchObject({ shownAsError: ms.cut, silentlyTruncated: 0, upstreamCut: ms.cut });
    // Injected faults are not rate-limit failures.
    expect(ui.metrics.aiFailures).toBe(0);
    expect(ui.metrics.upstream429).toBe(0);

    const text = await run(gemini429, '/text?up=cutting', { lab: true });
    const mt = text.metrics.midStreamErrors as Record<string, number>;
    expect(mt.cut).toBeGreaterThan(0);
    expect(mt).toMatchObject({ shownAsError: 0, silentlyTruncated: mt.cut });
    expect(text.evidence.map((e) => e.kind)).toContain('mid-stream-silent');
    // The default preset fails half an answer shown as whole, and only that: the UI stream passes.
    expect(text.verdict).toBe('fail');
    expect(ui.verdict).not.toBe('fail');
    expect(gemini429.summarize(text.metrics)).toMatch(/ended silently truncated/);
  });
});
