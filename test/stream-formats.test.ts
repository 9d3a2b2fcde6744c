/**
 * The chat-stream reader against a real node:http app that answers in each format, built (where the
 * installed `ai` 6 allows) with the AI SDK's own response helpers over the real Google provider
 * talking to mock-gemini. ai 6 has no v4 `toDataStreamResponse`: that route writes the v4 lines by
 * hand, as the sample app does.
 */
import http from 'node:http';
import type net from 'node:net';
import { Readable } from 'node:stream';
import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { streamText } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkLongReply, longMarker } from '../src/lab/long-reply.ts';
import { isMidStreamErrorReply } from '../src/lab/mock-gemini-faults.ts';
import { replyFor } from '../src/lab/mock-gemini-wire.ts';
import { startMockGemini, type MockGemini } from '../src/lab/mock-gemini.ts';
import { HttpClient } from '../src/load/http.ts';
import { chat, readChatStream, type StreamFormat } from '../src/load/stream.ts';

const MODEL = 'gemini-2.0-flash';
let gemini: MockGemini;
let cutting: MockGemini;
let app: http.Server;
let client: HttpClient;

async function readJson(req: http.IncomingMessage): Promise<{ message: string }> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as { message: string };
}

/** A chat app: the route picks the format, `?cut` talks to a Gemini that fails mid-reply. */
async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://app.invalid');
  if (url.pathname === '/v1/ask') {
    // Another app's shape: a bearer token and a `question` field.
    const { question } = (await readJson(req)) as unknown as { question: string };
    if (req.headers.authorization !== 'Bearer t0k') return void res.writeHead(401).end();
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    return void res.end(`you asked ${req.method} ${question}`);
  }
  const { message } = await readJson(req);
  const upstream = url.searchParams.has('cut') ? cutting : gemini;
  const model = createGoogleGenerativeAI({ baseURL: `${upstream.url}/v1beta`, apiKey: 'k' })(MODEL);
  const result = () => streamText({ model, prompt: message, maxRetries: 0, onError: () => undefined });
  switch (url.pathname) {
    case '/text':
      return result().pipeTextStreamToResponse(res);
    case '/ui':
      return result().pipeUIMessageStreamToResponse(res);
    case '/data': {
      // The v4 data stream, line by line, as a hand-made route (and the sample app) writes it.
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'x-vercel-ai-data-stream': 'v1' });
      res.write(`f:${JSON.stringify({ messageId: 'm1' })}\n`);
      for await (const delta of result().textStream) res.write(`0:${JSON.stringify(delta)}\n`);
      return void res.end(`d:${JSON.stringify({ finishReason: 'stop' })}\n`);
    }
    case '/data-no-header': {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      for await (const delta of result().textStream) res.write(`0:${JSON.stringify(delta)}\n`);
      return void res.end(`d:${JSON.stringify({ finishReason: 'stop' })}\n`);
    }
    case '/gemini': {
      // Gemini's own SSE passed through untouched.
      const r = await fetch(`${upstream.url}/v1beta/models/${MODEL}:streamGenerateContent?alt=sse`, {
        method: 'POST',
        body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: message }] }], generationConfig: url.searchParams.has('max') ? { maxOutputTokens: 5 } : {} }),
      });
      res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'text/event-stream' });
      return void Readable.fromWeb(r.body! as import('node:stream/web').ReadableStream).pipe(res);
    }
    case '/ndjson': {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      for await (const delta of result().textStream) res.write(`${JSON.stringify({ text: delta })}\n`);
      return void res.end(`${JSON.stringify({ done: true })}\n`);
    }
    case '/plain-time':
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      return void res.end('2:15\nis when the tender leaves');
    default:
      res.writeHead(404).end();
  }
}

beforeAll(async () => {
  gemini = await startMockGemini({ port: 0, ttftMs: 0, tokenDelayMs: 1, chunkChars: 16 });
  cutting = await startMockGemini({ port: 0, ttftMs: 0, tokenDelayMs: 1, chunkChars: 16, midStreamErrorRate: 1 });
  app = http.createServer((req, res) => {
    route(req, res).catch((err: unknown) => res.destroy(err as Error));
  });
  await new Promise<void>((r) => app.listen(0, '127.0.0.1', () => r()));
  client = new HttpClient(`http://127.0.0.1:${(app.address() as net.AddressInfo).port}`, new AbortController().signal, 8);
});

afterAll(async () => {
  await client.close();
  app.closeAllConnections();
  await new Promise((r) => app.close(r));
  await Promise.all([gemini.close(), cutting.close()]);
});

const ask = (path: string, message = 'Where is the buffet?', format?: StreamFormat) => chat(client, path, message, undefined, 20_000, { format });

describe('chat stream formats, detected from the response', () => {
  it.each([
    ['/text', 'text', 'first-line', 'transport-only'],
    ['/ui', 'ui-message-stream', 'header', 'finish-part'],
    ['/data', 'data-stream', 'header', 'finish-part'],
    ['/data-no-header', 'data-stream', 'first-line', 'finish-part'],
    ['/gemini', 'gemini-sse', 'first-line', 'finish-part'],
    ['/ndjson', 'ndjson', 'content-type', 'finish-part'],
  ] as const)('%s reads as %s (from the %s), whole', async (path, format, source, completeness) => {
    const r = await ask(path);
    expect(r).toMatchObject({ status: 200, format, completeness, complete: true, errorParts: [], unparsedLines: 0 });
    // text/plain without the AI SDK header, and Gemini's SSE, are told apart by their first line.
    expect(r.formatSource).toBe(source);
    expect(r.text).toBe(replyFor('Where is the buffet?'));
    expect(r.ttftMs).not.toBeNull();
  });

  it('reads a 1 MB long reply whole through toTextStreamResponse, where only its own check proves it whole', async () => {
    const r = await ask('/text', `hi ${longMarker(1_000_000)}`);
    expect(r.format).toBe('text');
    expect(r.finishPresent).toBe(false);
    expect(checkLongReply(r.text)).toEqual({ ok: true, expectedChars: 1_000_000, receivedChars: 1_000_000 });
  });

  it('shows a Gemini failure mid-reply as an error part in the UI stream, and as nothing at all in plain text', async () => {
    const ui = await ask('/ui?cut');
    expect(ui.errorParts.length).toBeGreaterThan(0);
    // ai 6 still ends with its finish part, saying why.
    expect(ui).toMatchObject({ finishPresent: true, finishReason: 'error' });
    expect(isMidStreamErrorReply(ui.text)).toBe(true);

    const text = await ask('/text?cut');
    expect(text.format).toBe('text');
    expect(isMidStreamErrorReply(text.text)).toBe(true);
    // The plain-text helper has no error part: the user sees a reply that just stops.
    expect(text.errorParts).toEqual([]);
    expect(text.completeness).toBe('transport-only');

    const passed = await ask('/gemini?cut');
    expect(passed.format).toBe('gemini-sse');
    expect(passed.errorParts[0]).toMatch(/internal error/i);
    expect(passed.finishPresent).toBe(false);
    expect(passed.complete).toBe(false);
  });

  it('carries a MAX_TOKENS finish through Gemini passthrough', async () => {
    const r = await ask('/gemini?max');
    expect(r).toMatchObject({ finishPresent: true, finishReason: 'MAX_TOKENS', complete: true });
    expect(r.text).toHaveLength(20);
  });

  it('does not take "2:15" on a text/plain first line for a data-stream part', async () => {
    const r = await ask('/plain-time');
    expect(r).toMatchObject({ format: 'text', text: '2:15\nis when the tender leaves', complete: true });
  });

  it('sends the request the target describes (method, body, headers) instead of POST {message}', async () => {
    const r = await chat(client, '/v1/ask', 'unused', undefined, 5_000, { request: { method: 'PUT', json: { question: 'trail?' }, headers: { authorization: 'Bearer t0k' } } });
    expect(r).toMatchObject({ status: 200, format: 'text', text: 'you asked PUT trail?' });
  });

  it('reads in a forced format whatever the response says', async () => {
    const r = await ask('/ui', 'Is there a gym?', 'text');
    expect(r).toMatchObject({ format: 'text', formatSource: 'forced' });
    expect(r.text).toMatch(/^data: \{"type":"start"/);
    expect(r.text).toContain('data: [DONE]');
  });
});

describe('readChatStream, cut anywhere', () => {
  const meta = (contentType: string, headers: Record<string, string> = {}) => ({
    status: 200,
    contentType,
    headers: { 'content-type': contentType, ...headers },
    startedAt: performance.now(),
    ttfbMs: 1,
  });
  async function* pieces(raw: string, size: number, failAtEnd = false): AsyncIterable<Buffer> {
    const bytes = Buffer.from(raw, 'utf8');
    for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
    if (failAtEnd) throw Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
  }

  it.each([1, 3, 7])('reads every format the same in %i-byte pieces, \\r\\n endings and multi-byte text included', async (size) => {
    const cases: Array<[string, string, Record<string, string>]> = [
      ['0:"Sé"\r\n0:"oul 🚢"\r\nd:{"finishReason":"stop"}\r\n', 'text/plain; charset=utf-8', {}],
      ['data: {"type":"start"}\r\n\r\ndata: {"type":"text-delta","id":"1","delta":"Sé"}\r\n\r\ndata: {"type":"text-delta","id":"1","delta":"oul 🚢"}\r\n\r\ndata: {"type":"finish"}\r\n\r\ndata: [DONE]\r\n\r\n', 'text/event-stream', {}],
      ['data: {"candidates":[{"content":{"parts":[{"text":"Sé"}]}}]}\r\n\r\ndata: {"candidates":[{"content":{"parts":[{"text":"oul 🚢"}]},"finishReason":"STOP"}]}\r\n\r\n', 'text/event-stream', {}],
      ['{"response":"Sé"}\n{"response":"oul 🚢","done":true}\n', 'application/x-ndjson', {}],
    ];
    for (const [raw, type, headers] of cases) {
      const r = await readChatStream(pieces(raw, size), meta(type, headers));
      expect(r, raw).toMatchObject({ text: 'Séoul 🚢', finishPresent: true, complete: true, unparsedLines: 0 });
    }
    const plain = await readChatStream(pieces('Séoul 🚢\nline two', size), meta('text/plain; charset=utf-8'));
    expect(plain).toMatchObject({ format: 'text', text: 'Séoul 🚢\nline two', complete: true, completeness: 'transport-only' });
  });

  it('keeps what a cut stream delivered, and calls it incomplete', async () => {
    const text = await readChatStream(pieces('Embarkation opens at noon', 5, true), meta('text/plain; charset=utf-8'));
    expect(text).toMatchObject({ format: 'text', text: 'Embarkation opens at noon', complete: false, failure: 'network' });
    const data = await readChatStream(pieces('0:"Embark"\n0:"ation"\n', 4, true), meta('text/plain', { 'x-vercel-ai-data-stream': 'v1' }));
    expect(data).toMatchObject({ format: 'data-stream', text: 'Embarkation', complete: false, finishPresent: false });
  });

  it('reads an empty text/plain body as an empty plain-text reply (what toTextStreamResponse sends when Gemini fails)', async () => {
    const r = await readChatStream(pieces('', 1), meta('text/plain; charset=utf-8'));
    expect(r).toMatchObject({ format: 'text', text: '', complete: true, completeness: 'transport-only' });
  });

  it('counts a line that is not part of the format as unparsed, so the reply is not complete', async () => {
    const r = await readChatStream(pieces('0:"a"\nnot a part\nd:{"finishReason":"stop"}\n', 64), meta('text/plain', { 'x-vercel-ai-data-stream': 'v1' }));
    expect(r).toMatchObject({ unparsedLines: 1, complete: false, finishPresent: true });
  });
});
