import { Connections } from './connections.ts';
import type { ErrorClass } from './classify.ts';
import type { CookieJar } from './cookies.ts';
import { InFlight } from './in-flight.ts';
import { RequestHeads, type Method } from './request-head.ts';
import { StreamResponse } from './stream-response.ts';
import { TextResponseHandler } from './text-response.ts';
import { ClientClosedError, abortError } from './wire-errors.ts';

export interface RequestOptions {
  method?: Method;
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

export interface ClientOptions {
  /** Certificate authorities to trust besides the system's, for an https target with a private CA. */
  ca?: string | Buffer | Array<string | Buffer>;
}

const DEFAULT_TIMEOUT_MS = 30_000;
/** How long an idle connection is kept when the server sends no `Keep-Alive: timeout` hint. Units: ms. */
const IDLE_LIMIT_MS = 10_000;

/**
 * An HTTP/1.1 client for one origin: keep-alive connections (one request each at a time), enough
 * for every virtual user, on the engine's own transport (connection.ts, response-parser.ts). Even a
 * bare undici Client loop spent more CPU per request than autocannon in bench/load.ts; like
 * autocannon, this transport writes cached request bytes and reads answers with a parser that
 * picks out only what the engine uses.
 */
export class HttpClient {
  private readonly connections: Connections;
  private readonly heads: RequestHeads;
  private readonly inFlight = new InFlight();
  private closed = false;
  readonly origin: string;
  /** A base path under the origin (`/app` in http://host/app). */
  private readonly prefix: string;

  constructor(
    baseUrl: string,
    private readonly signal: AbortSignal,
    connections = 128,
    options: ClientOptions = {},
  ) {
    this.origin = baseUrl.replace(/\/+$/, '');
    const u = new URL(this.origin);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new TypeError(`unsupported protocol ${u.protocol} in ${this.origin}: use http:// or https://`);
    this.prefix = u.pathname === '/' ? '' : u.pathname;
    const tls = u.protocol === 'https:';
    // URL keeps IPv6 brackets in hostname; sockets want the bare address. `host` carries the port only when it is not the default.
    const hostname = u.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = u.port ? Number(u.port) : tls ? 443 : 80;
    this.heads = new RequestHeads(u.host);
    this.connections = new Connections({ tls, hostname, port, ca: options.ca }, connections, IDLE_LIMIT_MS);
    signal.addEventListener('abort', this.onRunAbort, { once: true });
  }

  private readonly onRunAbort = (): void => this.inFlight.abortAll(abortError(this.signal));

  /**
   * The request's bytes: a GET with no headers or body of its own (the load loops' case) is a
   * cached Buffer until its jar changes.
   */
  private bytesFor(path: string, method: Method, opts: RequestOptions, json: string | undefined): Buffer {
    if (method === 'GET' && json === undefined && opts.headers === undefined) return this.heads.plainGet(this.prefix + path, opts.jar);
    return this.heads.build(method, this.prefix + path, opts.jar, opts.headers, json);
  }

  /** One request, body read as text; never throws (failures become `errorClass`). */
  request(path: string, opts: RequestOptions = {}): Promise<HttpResult> {
    const json = opts.json === undefined ? undefined : JSON.stringify(opts.json);
    const method = opts.method ?? (json === undefined ? 'GET' : 'POST');
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    return new Promise<HttpResult>((resolve) => {
      let bytes: Buffer;
      try {
        bytes = this.bytesFor(path, method, opts, json);
      } catch (err) {
        return new TextResponseHandler(Buffer.alloc(0), false, undefined, timeoutMs, this.inFlight, this.connections, resolve).fail(err as Error);
      }
      const handler = new TextResponseHandler(bytes, method === 'GET', opts.jar, timeoutMs, this.inFlight, this.connections, resolve);
      if (this.signal.aborted) return handler.fail(abortError(this.signal));
      if (this.closed) return handler.fail(new ClientClosedError());
      this.inFlight.add(handler);
      this.connections.acquire(handler);
    });
  }

  /**
   * A streamed request: `consume` reads the body chunk by chunk (the socket pauses while it lags).
   * Throws on network failure or timeout (the caller decides what a cut stream means). The whole
   * request, consumption included, is bounded by `timeoutMs`.
   */
  async stream<R>(path: string, opts: RequestOptions, consume: (body: AsyncIterable<Buffer>, meta: StreamMeta) => Promise<R>): Promise<R> {
    const json = opts.json === undefined ? undefined : JSON.stringify(opts.json);
    const method = opts.method ?? (json === undefined ? 'GET' : 'POST');
    const bytes = this.bytesFor(path, method, opts, json);
    const response = new StreamResponse(bytes, method === 'GET', opts.jar, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, this.inFlight, this.connections);
    if (this.signal.aborted) throw abortError(this.signal);
    if (this.closed) throw new ClientClosedError();
    this.inFlight.add(response);
    this.connections.acquire(response);
    try {
      const head = await response.head;
      const meta: StreamMeta = {
        status: head.status,
        contentType: head.contentType,
        headers: head.headers(),
        startedAt: response.startedAt,
        ttfbMs: performance.now() - response.startedAt,
      };
      return await consume(response.body(), meta);
    } finally {
      // A consumer that returned early leaves the rest unread: the connection is closed, not reused half-read.
      response.release();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.signal.removeEventListener('abort', this.onRunAbort);
    // Requests still waiting or running end now (as `network` errors) rather than never.
    const err = new ClientClosedError();
    this.inFlight.abortAll(err);
    this.inFlight.stop();
    this.connections.close(err);
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
