/**
 * A real HTTP stand-in for Google's Gemini REST API (generateContent, streamGenerateContent with and
 * without alt=sse) with a configurable quota that answers like Google when exceeded, long
 * deterministic replies (src/lab/long-reply.ts) for stream-integrity tests, and Google's harsher
 * habits as switchable faults (src/lab/mock-gemini-faults.ts). Wire shapes: WIRE.md.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeLongReply, parseLongMarker, MIN_LONG_REPLY } from './long-reply.ts';
import {
  EvenSchedule,
  MID_STREAM_ERROR_TAG,
  charLimit,
  errorContentType,
  midStreamErrorBody,
  overloadedBody,
} from './mock-gemini-faults.ts';
import { configure, type Config, type MockGeminiOptions } from './mock-gemini-options.ts';
import { RequestError, badRequest, readBody, sendJson, write } from './mock-gemini-http.ts';
import { Quota } from './mock-gemini-quota.ts';
import {
  chunkText,
  googleError,
  invalidKeyBody,
  missingKeyBody,
  parseGenerateRequest,
  promptHash,
  quotaExceededBody,
  replyFor,
  responseObject,
} from './mock-gemini-wire.ts';

export type { MockGeminiFaults, MockGeminiOptions } from './mock-gemini-options.ts';

export interface MockGeminiStats {
  /** Generate requests received (any outcome). */
  requests: number;
  accepted: number;
  rejected429: number;
  /** The 429s by which quota ran out. */
  rejectedBy: { day: number; window: number; concurrency: number };
  maxInFlight: number;
  inFlight: number;
  /** Requests answered 503 "model overloaded" (overloadedRate). */
  overloaded503: number;
  /** 200 streams ended by an error event after some chunks (midStreamErrorRate). */
  midStreamErrors: number;
  /** Replies that stopped with finishReason MAX_TOKENS. */
  maxTokensFinishes: number;
  /** The faults this mock injects, so a client of the lab can tell which measurements apply. */
  faults: Config['faults'];
}

export interface MockGemini {
  url: string;
  port: number;
  stats(): MockGeminiStats;
  /** Zeroes the counters; maxInFlight restarts from what is in flight now. */
  resetStats(): void;
  /** Forgets used quota (window and day) so a new run starts fresh. */
  resetQuota(): void;
  close(): Promise<void>;
}

/** Text per event for long replies: big events keep a multi-megabyte reply fast. */
export const LONG_EVENT_CHARS = 16_384;
/** The largest long reply the mock will build, chars. */
export const MAX_LONG_REPLY = 64 * 1024 * 1024;
const ROUTE = /^\/(v1beta|v1)\/models\/([^/:]+):(streamGenerateContent|generateContent)$/;

function checkKey(config: Config, req: IncomingMessage, url: URL): void {
  if (config.apiKey === undefined) return;
  const given = url.searchParams.get('key') ?? req.headers['x-goog-api-key'];
  if (given === undefined || given === null || given === '') throw new RequestError(403, missingKeyBody());
  if (given !== config.apiKey) throw new RequestError(400, invalidKeyBody());
}

/** The long-reply size asked for by header or prompt marker, validated; null for a normal reply. */
function longSize(req: IncomingMessage, prompt: string): number | null {
  const header = req.headers['x-genie-long'];
  const raw = typeof header === 'string' ? header.trim() : null;
  const size = raw !== null ? (/^\d+$/.test(raw) ? Number(raw) : NaN) : parseLongMarker(prompt);
  if (size === null) return null;
  if (!Number.isSafeInteger(size) || size < MIN_LONG_REPLY || size > MAX_LONG_REPLY) {
    throw badRequest(`long reply size must be an integer from ${MIN_LONG_REPLY} to ${MAX_LONG_REPLY}`);
  }
  return size;
}

export async function startMockGemini(opts: MockGeminiOptions = {}): Promise<MockGemini> {
  const config = configure(opts);
  const { faults } = config;
  const quota = new Quota(config);
  const overloaded = new EvenSchedule(faults.overloadedRate);
  const midStream = new EvenSchedule(faults.midStreamErrorRate);
  const zero = () => ({ requests: 0, accepted: 0, rejected429: 0, rejectedBy: { day: 0, window: 0, concurrency: 0 }, overloaded503: 0, midStreamErrors: 0, maxTokensFinishes: 0 });
  let counts = zero();
  let responseSeq = 0;
  // A load test asks for the same long size from every user: build each text once.
  const longReplies = new Map<number, string>();
  const longReply = (size: number): string => {
    let text = longReplies.get(size);
    if (text === undefined) {
      if (longReplies.size >= 4) longReplies.delete(longReplies.keys().next().value!);
      text = makeLongReply(size);
      longReplies.set(size, text);
    }
    return text;
  };

  async function generate(req: IncomingMessage, res: ServerResponse, url: URL, model: string, method: string): Promise<void> {
    counts.requests++;
    checkKey(config, req, url);
    const raw = await readBody(req);
    let request: ReturnType<typeof parseGenerateRequest>;
    try {
      request = parseGenerateRequest(raw);
    } catch (err) {
      const detail = err instanceof SyntaxError ? `Invalid JSON payload received. ${err.message}` : (err as Error).message;
      throw badRequest(detail);
    }
    const { prompt } = request;
    const long = longSize(req, prompt);
    const streaming = method === 'streamGenerateContent';
    const errorType = errorContentType(streaming, faults);

    // A long reply is an instrument for the app's own transport: no injected fault touches it, or a
    // cut there could not be told from the app's. Overload is decided before quota, which it does not use.
    if (long === null && overloaded.next()) {
      counts.overloaded503++;
      sendJson(res, 503, overloadedBody(), errorType);
      return;
    }
    const admission = quota.admit();
    if (!admission.ok) {
      counts.rejected429++;
      counts.rejectedBy[admission.kind]++;
      const limit = { day: config.perDayQuota ?? 0, window: config.requestsPerWindow, concurrency: config.maxConcurrent }[admission.kind];
      sendJson(res, 429, quotaExceededBody(admission.kind, limit, model, admission.waitSec, admission.retryDelaySec), errorType);
      return;
    }
    counts.accepted++;
    const aborter = new AbortController();
    const finish = () => {
      admission.release();
      aborter.abort();
    };
    res.once('finish', admission.release);
    res.once('close', finish);

    let text = long !== null ? longReply(long) : replyFor(prompt);
    const limit = long === null ? charLimit(faults.maxOutputTokens, request.maxOutputTokens) : null;
    const maxTokens = limit !== null && text.length > limit;
    if (maxTokens) text = text.slice(0, limit);
    const cutAfter = long === null && streaming && midStream.next() ? faults.midStreamErrorAfterChunks : null;
    const deltas = long !== null ? chunkText(text, LONG_EVENT_CHARS) : chunkText(text, config.chunkChars);
    // The tag goes first, as its own chunk, so what the app streams on says which reply was cut.
    if (cutAfter !== null) deltas.unshift(MID_STREAM_ERROR_TAG);
    const responseId = `${promptHash(prompt)}-${(++responseSeq).toString(36)}`;
    const finishReason = maxTokens ? 'MAX_TOKENS' : 'STOP';
    const make = (delta: string, sentChars: number, final: boolean) =>
      responseObject({ text: delta, model, responseId, promptChars: prompt.length, sentChars, final, finishReason });

    const sse = streaming && url.searchParams.get('alt') === 'sse';
    if (streaming) {
      res.writeHead(200, {
        'content-type': sse ? 'text/event-stream' : 'application/json; charset=UTF-8',
        'cache-control': 'no-cache',
        'x-content-type-options': 'nosniff',
      });
      res.flushHeaders();
    }
    const frame = (json: string, first: boolean) => (sse ? `data: ${json}${config.separator}` : `${first ? '[' : ',\r\n'}${json}`);
    try {
      await sleep(config.ttftMs, undefined, { signal: aborter.signal });
      if (!streaming) {
        if (maxTokens) counts.maxTokensFinishes++;
        sendJson(res, 200, make(text, text.length, true));
        return;
      }
      // Never the last chunk: a cut reply must miss its finishReason.
      const sendCount = cutAfter === null ? deltas.length : Math.min(cutAfter, deltas.length - 1);
      let sent = 0;
      for (let i = 0; i < sendCount; i++) {
        const delta = deltas[i]!;
        sent += delta.length;
        const final = i === deltas.length - 1;
        if (!(await write(res, frame(JSON.stringify(make(delta, sent, final)), i === 0), aborter.signal))) return;
        if (final) {
          if (maxTokens) counts.maxTokensFinishes++;
          break;
        }
        // Long replies go as fast as the socket drains; yielding keeps other streams moving.
        if (long !== null) await new Promise((resolve) => setImmediate(resolve));
        else await sleep(config.tokenDelayMs, undefined, { signal: aborter.signal });
      }
      if (cutAfter !== null) {
        counts.midStreamErrors++;
        if (!(await write(res, frame(JSON.stringify(midStreamErrorBody()), sendCount === 0), aborter.signal))) return;
      }
      res.end(sse ? undefined : ']');
    } catch (err) {
      if (aborter.signal.aborted) return; // the client left mid-stream: nothing to answer
      throw err;
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://mock-gemini.invalid');
    if (url.pathname === '/health' && (req.method === 'GET' || req.method === 'HEAD')) {
      sendJson(res, 200, { status: 'ok' });
      return;
    }
    const route = ROUTE.exec(url.pathname);
    if (!route || req.method !== 'POST') {
      sendJson(res, 404, googleError(404, 'NOT_FOUND', `Method not found: ${req.method} ${url.pathname}`));
      return;
    }
    await generate(req, res, url, decodeURIComponent(route[2]!), route[3]!);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof RequestError) sendJson(res, err.status, err.body);
      else sendJson(res, 500, googleError(500, 'INTERNAL', 'An internal error has occurred.'));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostPart = config.host.includes(':') ? `[${config.host}]` : config.host;

  return {
    url: `http://${hostPart}:${port}`,
    port,
    stats: () => ({
      ...counts,
      rejectedBy: { ...counts.rejectedBy },
      maxInFlight: quota.maxInFlight,
      inFlight: quota.inFlight,
      faults: { ...faults },
    }),
    resetStats: () => {
      counts = zero();
      quota.maxInFlight = quota.inFlight;
    },
    resetQuota: () => {
      quota.reset();
      // Fault schedules restart too: a new run meets the same faults in the same places.
      overloaded.reset();
      midStream.reset();
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
