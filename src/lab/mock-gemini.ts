/**
 * A real HTTP stand-in for Google's Gemini REST API (generateContent, streamGenerateContent with and
 * without alt=sse) with a configurable quota that answers like Google when exceeded, and long
 * deterministic replies (src/lab/long-reply.ts) for stream-integrity tests. Wire shapes: WIRE.md.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeLongReply, parseLongMarker, MIN_LONG_REPLY } from './long-reply.ts';
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

export interface MockGeminiOptions {
  /** 0 = a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Generate requests in flight at once (a stream counts until its body ends or the client leaves). Default 10. */
  maxConcurrent?: number;
  /** Accepted requests per sliding window. Default 200. */
  requestsPerWindow?: number;
  /** Units: milliseconds. Default 60_000. */
  windowMs?: number;
  /** Accepted requests per day; over it, 429 with a PerDay quotaId. Default: no day limit. */
  perDayQuota?: number;
  /** Smallest RetryInfo retryDelay advertised, seconds; fractional allowed ("1.5s"). Default 1. */
  retryDelaySec?: number;
  /** Time to first token, milliseconds. Default 300. */
  ttftMs?: number;
  /** Delay between streamed events of a normal reply, milliseconds. Default 20. */
  tokenDelayMs?: number;
  /** Text per event for normal replies. Default 24. */
  chunkChars?: number;
  /** When set, requests must carry it (?key= or x-goog-api-key): missing → 403, wrong → 400. */
  apiKey?: string;
  /** What ends each SSE event. Default "\n\n". */
  separator?: '\n\n' | '\r\n\r\n';
}

export interface MockGeminiStats {
  /** Generate requests received (any outcome). */
  requests: number;
  accepted: number;
  rejected429: number;
  /** The 429s by which quota ran out. */
  rejectedBy: { day: number; window: number; concurrency: number };
  maxInFlight: number;
  inFlight: number;
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

type Config = Required<Omit<MockGeminiOptions, 'perDayQuota' | 'apiKey'>> & Pick<MockGeminiOptions, 'perDayQuota' | 'apiKey'>;

function configure(opts: MockGeminiOptions): Config {
  return {
    port: opts.port ?? 0,
    host: opts.host ?? '127.0.0.1',
    maxConcurrent: opts.maxConcurrent ?? 10,
    requestsPerWindow: opts.requestsPerWindow ?? 200,
    windowMs: opts.windowMs ?? 60_000,
    perDayQuota: opts.perDayQuota,
    retryDelaySec: opts.retryDelaySec ?? 1,
    ttftMs: opts.ttftMs ?? 300,
    tokenDelayMs: opts.tokenDelayMs ?? 20,
    chunkChars: Math.max(1, opts.chunkChars ?? 24),
    apiKey: opts.apiKey,
    separator: opts.separator ?? '\n\n',
  };
}

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
  const quota = new Quota(config);
  const counts = { requests: 0, accepted: 0, rejected429: 0, rejectedBy: { day: 0, window: 0, concurrency: 0 } };
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
    let prompt: string;
    try {
      prompt = parseGenerateRequest(raw).prompt;
    } catch (err) {
      const detail = err instanceof SyntaxError ? `Invalid JSON payload received. ${err.message}` : (err as Error).message;
      throw badRequest(detail);
    }
    const long = longSize(req, prompt);

    const admission = quota.admit();
    if (!admission.ok) {
      counts.rejected429++;
      counts.rejectedBy[admission.kind]++;
      const limit = { day: config.perDayQuota ?? 0, window: config.requestsPerWindow, concurrency: config.maxConcurrent }[admission.kind];
      sendJson(res, 429, quotaExceededBody(admission.kind, limit, model, admission.waitSec, admission.retryDelaySec));
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

    const text = long !== null ? longReply(long) : replyFor(prompt);
    const deltas = long !== null ? chunkText(text, LONG_EVENT_CHARS) : chunkText(text, config.chunkChars);
    const responseId = `${promptHash(prompt)}-${(++responseSeq).toString(36)}`;
    const make = (delta: string, sentChars: number, final: boolean) =>
      responseObject({ text: delta, model, responseId, promptChars: prompt.length, sentChars, final });

    const streaming = method === 'streamGenerateContent';
    const sse = streaming && url.searchParams.get('alt') === 'sse';
    if (streaming) {
      res.writeHead(200, {
        'content-type': sse ? 'text/event-stream' : 'application/json; charset=UTF-8',
        'cache-control': 'no-cache',
        'x-content-type-options': 'nosniff',
      });
      res.flushHeaders();
    }
    try {
      await sleep(config.ttftMs, undefined, { signal: aborter.signal });
      if (!streaming) {
        sendJson(res, 200, make(text, text.length, true));
        return;
      }
      let sent = 0;
      for (let i = 0; i < deltas.length; i++) {
        const delta = deltas[i]!;
        sent += delta.length;
        const json = JSON.stringify(make(delta, sent, i === deltas.length - 1));
        const frame = sse ? `data: ${json}${config.separator}` : `${i === 0 ? '[' : ',\r\n'}${json}`;
        if (!(await write(res, frame, aborter.signal))) return;
        if (i === deltas.length - 1) break;
        // Long replies go as fast as the socket drains; yielding keeps other streams moving.
        if (long !== null) await new Promise((resolve) => setImmediate(resolve));
        else await sleep(config.tokenDelayMs, undefined, { signal: aborter.signal });
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
    stats: () => ({ ...counts, rejectedBy: { ...counts.rejectedBy }, maxInFlight: quota.maxInFlight, inFlight: quota.inFlight }),
    resetStats: () => {
      counts.requests = counts.accepted = counts.rejected429 = 0;
      counts.rejectedBy = { day: 0, window: 0, concurrency: 0 };
      quota.maxInFlight = quota.inFlight;
    },
    resetQuota: () => quota.reset(),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
