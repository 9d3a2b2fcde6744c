import type { Client, Dispatcher } from 'undici';
import { classifyResponse, classifyThrown, describe } from './classify.ts';
import type { ConnectionUser, Connections } from './connections.ts';
import type { CookieJar } from './cookies.ts';
import type { HttpResult } from './http.ts';

/** How often overdue requests are looked for; a whole-request timeout fires at most this late. Units: ms. */
const SWEEP_MS = 50;
const BOM = 0xfeff;

/** The error a request ends in when its whole-request deadline passes; classified as `timeout`. */
export class RequestTimeoutError extends Error {
  override name = 'TimeoutError';
  constructor(timeoutMs: number) {
    super(`request did not finish within ${timeoutMs} ms`);
  }
}

/** The error requests end in when the run's signal aborts: its reason, as undici would throw it. */
export function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new DOMException('This operation was aborted', 'AbortError');
}

/**
 * The requests of one client that have not finished. One sweeper timer bounds every request's
 * whole duration, and one listener on the run's signal aborts them all, instead of a timer and a
 * listener per request.
 */
export class InFlight {
  private readonly handlers = new Set<TextResponseHandler>();
  private timer: NodeJS.Timeout | null = null;

  add(h: TextResponseHandler): void {
    this.handlers.add(h);
    if (this.timer === null) {
      this.timer = setInterval(() => this.sweep(performance.now()), SWEEP_MS);
      this.timer.unref();
    }
  }

  delete(h: TextResponseHandler): void {
    this.handlers.delete(h);
  }

  get size(): number {
    return this.handlers.size;
  }

  abortAll(err: Error): void {
    for (const h of [...this.handlers]) h.abort(err);
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private sweep(now: number): void {
    for (const h of this.handlers) if (now >= h.deadline) h.abort(new RequestTimeoutError(h.timeoutMs));
  }
}

/**
 * One plain request of HttpClient.request, from waiting for a connection to the response read as
 * text: status, content type, Set-Cookie into the jar, body bytes decoded once at the end. It is
 * its own connection waiter and undici handler (undici calls the plain onConnect/onHeaders/…
 * interface without wrapping), so a request allocates no callbacks of its own.
 */
export class TextResponseHandler implements Dispatcher.DispatchHandler, ConnectionUser {
  readonly startedAt = performance.now();
  readonly deadline: number;
  private abortRequest: ((err: Error) => void) | null = null;
  private reason: Error | null = null;
  /** The caller has its result (the request may still be finishing inside undici). */
  settled = false;
  /** The connection carrying the request, until undici is done with it. */
  private conn: Client | null = null;
  private status = 0;
  private contentType = '';
  private ttfbMs = 0;
  /** The body: most answers arrive in one chunk, so the list is made only for a second one. */
  private firstChunk: Buffer | null = null;
  private moreChunks: Buffer[] | null = null;

  constructor(
    private readonly request: Dispatcher.DispatchOptions,
    private readonly jar: CookieJar | undefined,
    readonly timeoutMs: number,
    private readonly inFlight: InFlight,
    private readonly connections: Connections,
    private readonly resolve: (r: HttpResult) => void,
  ) {
    this.deadline = this.startedAt + timeoutMs;
  }

  useConnection(conn: Client): void {
    // Timed out or aborted while waiting for a connection: pass the connection on unused.
    if (this.settled) return this.connections.release(conn);
    this.conn = conn;
    conn.dispatch(this.request, this);
  }

  /** Ends the request with `err`, whether or not it has reached a socket yet. */
  abort(err: Error): void {
    if (this.settled) return;
    this.reason = err;
    if (this.abortRequest) this.abortRequest(err);
    else this.fail(err); // not on a socket yet: undici aborts it at onConnect and calls onError then
  }

  onConnect(abort: (err?: Error) => void): void {
    if (this.reason) abort(this.reason);
    else this.abortRequest = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], _resume: () => void): boolean {
    if (statusCode < 200) return true; // 1xx: the real answer follows
    this.status = statusCode;
    this.ttfbMs = performance.now() - this.startedAt;
    let setCookie: string[] | undefined;
    for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
      const name = rawHeaders[i] as Buffer;
      // Compared byte by byte, without making strings of the names: most headers are skipped unread.
      if (isHeaderName(name, 'content-type')) {
        this.contentType = (rawHeaders[i + 1] as Buffer).toString('latin1');
      } else if (this.jar && isHeaderName(name, 'set-cookie')) {
        (setCookie ??= []).push((rawHeaders[i + 1] as Buffer).toString('utf8'));
      }
    }
    if (setCookie) this.jar?.store(setCookie);
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.firstChunk === null) this.firstChunk = chunk;
    else (this.moreChunks ??= [this.firstChunk]).push(chunk);
    return true;
  }

  onComplete(): void {
    this.done();
    if (this.settled) return;
    const text = this.text();
    this.settle({
      status: this.status,
      contentType: this.contentType,
      text,
      ttfbMs: this.ttfbMs,
      durationMs: performance.now() - this.startedAt,
      startedAt: this.startedAt,
      errorClass: classifyResponse(this.status, text),
    });
  }

  onError(err: Error): void {
    this.done();
    this.fail(err);
  }

  /** Ends the caller's wait with `err`; whether undici is done is onDone's business. */
  fail(err: Error): void {
    if (this.settled) return;
    this.settle({
      status: 0,
      contentType: '',
      text: '',
      ttfbMs: this.ttfbMs,
      durationMs: performance.now() - this.startedAt,
      startedAt: this.startedAt,
      errorClass: classifyThrown(err),
      errorMessage: describe(err),
    });
  }

  /** Undici is done with the request: its connection is free again (once). */
  private done(): void {
    const conn = this.conn;
    this.conn = null;
    if (conn) this.connections.release(conn);
  }

  private settle(r: HttpResult): void {
    this.settled = true;
    this.firstChunk = null;
    this.moreChunks = null;
    this.inFlight.delete(this);
    this.resolve(r);
  }

  /** UTF-8, a leading byte-order mark dropped (as undici's body.text() does). */
  private text(): string {
    if (this.firstChunk === null) return '';
    const s = (this.moreChunks ? Buffer.concat(this.moreChunks) : this.firstChunk).toString('utf8');
    return s.charCodeAt(0) === BOM ? s.slice(1) : s;
  }
}

/** True when the raw header name is `lowerName` in any letter case (`lowerName` is lower-case ASCII). */
function isHeaderName(raw: Buffer, lowerName: string): boolean {
  if (raw.length !== lowerName.length) return false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as number;
    // ASCII letters A–Z fold to a–z; every other byte must match as is.
    if ((c >= 0x41 && c <= 0x5a ? c | 0x20 : c) !== lowerName.charCodeAt(i)) return false;
  }
  return true;
}
