import { setMaxListeners } from 'node:events';
import { Pool } from 'undici';
import type { Dispatcher } from 'undici';
import { classifyResponse, classifyThrown, type ErrorClass } from './classify.ts';
import type { CookieJar } from './cookies.ts';

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Sent as JSON. */
  json?: unknown;
  headers?: Record<string, string>;
  jar?: CookieJar;
  /** Whole request, body included. Units: milliseconds. */
  timeoutMs?: number;
}

export interface HttpResult {
  /** 0 when no response arrived. */
  status: number;
  contentType: string;
  text: string;
  /** Request start → response headers. Units: ms. */
  ttfbMs: number;
  /** Request start → body read (or failure). Units: ms. */
  durationMs: number;
  /** Start time on the performance clock, for timelines. */
  startedAt: number;
  errorClass: ErrorClass | null;
  errorMessage?: string;
}

export interface StreamMeta {
  status: number;
  contentType: string;
  headers: Record<string, string | string[] | undefined>;
  startedAt: number;
  ttfbMs: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** An HTTP client for one origin: a keep-alive undici Pool with enough sockets for every virtual user. */
export class HttpClient {
  private readonly pool: Pool;
  readonly origin: string;
  /** A base path under the origin (`/app` in http://host/app). */
  private readonly prefix: string;

  constructor(
    baseUrl: string,
    private readonly signal: AbortSignal,
    connections = 128,
  ) {
    this.origin = baseUrl.replace(/\/+$/, '');
    const u = new URL(this.origin);
    this.prefix = u.pathname === '/' ? '' : u.pathname;
    this.pool = new Pool(u.origin, { connections, pipelining: 1, keepAliveTimeout: 10_000 });
    // Every in-flight request listens on the run's signal.
    setMaxListeners(0, signal);
  }

  /**
   * Plain requests use undici's own header/body timers and the run's signal: a fresh
   * AbortSignal.timeout + AbortSignal.any per request costs more than the request itself at high
   * rates (see bench/load.ts). Streams, which need a whole-request deadline, get their own signal.
   */
  private buildRequest(path: string, opts: RequestOptions, wholeDeadline: boolean): Dispatcher.RequestOptions {
    const headers: Record<string, string> = { accept: 'application/json, text/event-stream, */*', ...opts.headers };
    const cookie = opts.jar?.header();
    if (cookie) headers.cookie = cookie;
    let body: string | undefined;
    if (opts.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.json);
    }
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const signal = wholeDeadline ? AbortSignal.any([this.signal, AbortSignal.timeout(timeoutMs)]) : this.signal;
    const method = opts.method ?? (body === undefined ? 'GET' : 'POST');
    return { path: this.prefix + path, method, headers, body, signal, headersTimeout: timeoutMs, bodyTimeout: timeoutMs };
  }

  /** One request, body read as text; never throws (failures become `errorClass`). */
  async request(path: string, opts: RequestOptions = {}): Promise<HttpResult> {
    const startedAt = performance.now();
    let ttfbMs = 0;
    try {
      const res = await this.pool.request(this.buildRequest(path, opts, false));
      ttfbMs = performance.now() - startedAt;
      opts.jar?.store(res.headers['set-cookie']);
      const text = await res.body.text();
      const contentType = String(res.headers['content-type'] ?? '');
      return {
        status: res.statusCode,
        contentType,
        text,
        ttfbMs,
        durationMs: performance.now() - startedAt,
        startedAt,
        errorClass: classifyResponse(res.statusCode, text),
      };
    } catch (err) {
      return {
        status: 0,
        contentType: '',
        text: '',
        ttfbMs,
        durationMs: performance.now() - startedAt,
        startedAt,
        errorClass: classifyThrown(err),
        errorMessage: describe(err),
      };
    }
  }

  /**
   * A streamed request: `consume` reads the body chunk by chunk. Throws on network failure or
   * timeout (the caller decides what a cut stream means).
   */
  async stream<R>(path: string, opts: RequestOptions, consume: (body: AsyncIterable<Buffer>, meta: StreamMeta) => Promise<R>): Promise<R> {
    const startedAt = performance.now();
    const res = await this.pool.request(this.buildRequest(path, opts, true));
    opts.jar?.store(res.headers['set-cookie']);
    const meta: StreamMeta = {
      status: res.statusCode,
      contentType: String(res.headers['content-type'] ?? ''),
      headers: res.headers,
      startedAt,
      ttfbMs: performance.now() - startedAt,
    };
    try {
      return await consume(res.body, meta);
    } finally {
      if (!res.body.destroyed) res.body.destroy();
    }
  }

  async close(): Promise<void> {
    await this.pool.destroy().catch(() => undefined);
  }
}

export function describe(err: unknown): string {
  const e = err as { name?: string; message?: string; code?: string; cause?: { message?: string; code?: string } };
  const code = e?.code ?? e?.cause?.code;
  const msg = e?.message ?? String(err);
  return code && !msg.includes(code) ? `${code}: ${msg}` : msg;
}

/** True when the answer is an HTML page (a login page, a 404 page, a proxy's error page). */
export function isHtml(res: { contentType: string; text: string }): boolean {
  return /text\/html/i.test(res.contentType) || /^\s*<(!doctype|html)/i.test(res.text);
}

export type JsonResult<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Parses a JSON answer; an HTML page or a non-JSON body is an explained failure. */
export function parseJson<T = Record<string, unknown>>(res: HttpResult): JsonResult<T> {
  if (isHtml(res)) return { ok: false, reason: `answered HTML (${res.status}, ${res.contentType || 'no content-type'}) where JSON was expected` };
  try {
    return { ok: true, value: JSON.parse(res.text) as T };
  } catch {
    return { ok: false, reason: `answered non-JSON (${res.status}): ${res.text.slice(0, 120)}` };
  }
}
