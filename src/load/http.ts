import { setMaxListeners } from 'node:events';
import type { Client, Dispatcher } from 'undici';
import { Connections } from './connections.ts';
import type { ErrorClass } from './classify.ts';
import type { CookieJar } from './cookies.ts';
import { InFlight, TextResponseHandler, abortError } from './text-response.ts';

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
const ACCEPT = 'application/json, text/event-stream, */*';
/**
 * Header lists are shared by requests in flight, so they are frozen; typed as plain arrays only
 * because undici's option types ask for one (it reads the list, never writes it).
 */
const shared = (list: string[]): string[] => Object.freeze(list) as string[];
/** The headers of a request with no jar and no headers or body of its own. */
const PLAIN_HEADERS = shared(['accept', ACCEPT]);

/** Session headers then the request's own override `accept`; the jar's cookies are the Cookie header; a JSON body sets the content type. */
function buildHeaders(jar: CookieJar | undefined, own: Record<string, string> | undefined, hasJsonBody: boolean): string[] {
  const merged: Record<string, string> = { accept: ACCEPT, ...jar?.headers(), ...own };
  const cookie = jar?.header();
  if (cookie) merged.cookie = cookie;
  if (hasJsonBody) merged['content-type'] = 'application/json';
  const list: string[] = [];
  for (const name of Object.keys(merged)) list.push(name, merged[name] as string);
  return shared(list);
}

class ClientClosedError extends Error {
  override name = 'ClientClosedError';
  constructor() {
    super('the HTTP client was closed');
  }
}

/** An HTTP client for one origin: keep-alive connections (one request each at a time), enough for every virtual user. */
export class HttpClient {
  private readonly connections: Connections;
  private readonly dispatchOrigin: string;
  private readonly inFlight = new InFlight();
  /** Each jar's headers for requests with none of their own, and the jar revision they were built from. */
  private readonly jarHeaders = new WeakMap<CookieJar, { revision: number; headers: string[] }>();
  private closed = false;
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
    this.dispatchOrigin = u.origin;
    this.connections = new Connections(u.origin, connections, { pipelining: 1, keepAliveTimeout: 10_000 });
    // Streams listen on the run's signal one by one; plain requests share onRunAbort.
    setMaxListeners(0, signal);
    signal.addEventListener('abort', this.onRunAbort, { once: true });
  }

  private readonly onRunAbort = (): void => this.inFlight.abortAll(abortError(this.signal));

  /**
   * A request's headers as undici's flat name/value list (it reads a list without probing it for
   * an iterator or listing keys). A request with no headers or body of its own, the load loops'
   * case, reuses its jar's list until the jar changes; undici only reads the list.
   */
  private headersFor(opts: RequestOptions, hasJsonBody: boolean): string[] {
    const { jar } = opts;
    if (opts.headers === undefined && !hasJsonBody) {
      if (!jar) return PLAIN_HEADERS;
      const cached = this.jarHeaders.get(jar);
      if (cached && cached.revision === jar.revision) return cached.headers;
      const headers = buildHeaders(jar, undefined, false);
      this.jarHeaders.set(jar, { revision: jar.revision, headers });
      return headers;
    }
    return buildHeaders(jar, opts.headers, hasJsonBody);
  }

  /**
   * One request, body read as text; never throws (failures become `errorClass`).
   *
   * Dispatched with a small handler that gathers the body itself: undici's `request()` builds a
   * Readable, an AsyncResource and an abort listener on the run's signal for every request, which
   * cost more than the request at high rates (bench/load.ts). The whole-request deadline is kept
   * by the client's sweeper and the run's signal by one listener for all requests (see InFlight).
   */
  request(path: string, opts: RequestOptions = {}): Promise<HttpResult> {
    const body = opts.json === undefined ? undefined : JSON.stringify(opts.json);
    const headers = this.headersFor(opts, body !== undefined);
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const method = opts.method ?? (body === undefined ? 'GET' : 'POST');
    // The sweeper bounds the whole request, so undici's per-phase timers (re-armed on every
    // request and chunk) are switched off: 0 disables them.
    const dispatch = { origin: this.dispatchOrigin, path: this.prefix + path, method, headers, body, headersTimeout: 0, bodyTimeout: 0 };
    return new Promise<HttpResult>((resolve) => {
      const handler = new TextResponseHandler(dispatch, opts.jar, timeoutMs, this.inFlight, this.connections, resolve);
      if (this.signal.aborted) return handler.fail(abortError(this.signal));
      if (this.closed) return handler.fail(new ClientClosedError());
      this.inFlight.add(handler);
      this.connections.acquire(handler);
    });
  }

  /**
   * A streamed request: `consume` reads the body chunk by chunk. Throws on network failure or
   * timeout (the caller decides what a cut stream means).
   */
  async stream<R>(path: string, opts: RequestOptions, consume: (body: AsyncIterable<Buffer>, meta: StreamMeta) => Promise<R>): Promise<R> {
    const startedAt = performance.now();
    const body = opts.json === undefined ? undefined : JSON.stringify(opts.json);
    const headers = this.headersFor(opts, body !== undefined);
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    // A stream is read by the caller at its own pace, so it carries its own whole-request signal.
    const signal = AbortSignal.any([this.signal, AbortSignal.timeout(timeoutMs)]);
    const method = opts.method ?? (body === undefined ? 'GET' : 'POST');
    const conn = await this.connectionWithin(signal);
    let res: Dispatcher.ResponseData;
    try {
      res = await conn.request({ path: this.prefix + path, method, headers, body, signal, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
    } catch (err) {
      this.connections.release(conn);
      throw err;
    }
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
      this.connections.release(conn);
    }
  }

  /** A free connection, or the signal's error if it aborts first (the wait counts toward the timeout). */
  private connectionWithin(signal: AbortSignal): Promise<Client> {
    return new Promise<Client>((resolve, reject) => {
      let given = false;
      const onAbort = () => {
        given = true;
        reject(abortError(signal));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.connections.acquire({
        useConnection: (conn) => {
          signal.removeEventListener('abort', onAbort);
          if (given) return this.connections.release(conn);
          given = true;
          resolve(conn);
        },
      });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.signal.removeEventListener('abort', this.onRunAbort);
    // Requests still waiting or running end now (as `network` errors) rather than never.
    this.inFlight.abortAll(new ClientClosedError());
    this.inFlight.stop();
    await this.connections.close();
  }
}

export { describe } from './classify.ts';

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
