import { classifyResponse, classifyThrown, describe } from './classify.ts';
import type { Connection, Exchange } from './connection.ts';
import type { Connections } from './connections.ts';
import type { CookieJar } from './cookies.ts';
import type { HttpResult } from './http.ts';
import type { Abortable, InFlight } from './in-flight.ts';
import type { ResponseHead } from './response-parser.ts';

const BOM = 0xfeff;

/**
 * One plain request of HttpClient.request, from waiting for a connection to the response read as
 * text: status, content type, Set-Cookie into the jar, body bytes decoded once at the end. It is
 * its own connection waiter and exchange, so a request allocates no callbacks of its own.
 */
export class TextResponseHandler implements Exchange, Abortable {
  readonly startedAt = performance.now();
  readonly deadline: number;
  /** The caller has its result. */
  settled = false;
  /** The connection carrying the request, until its response ends. */
  private conn: Connection | null = null;
  private status = 0;
  private contentType = '';
  private ttfbMs = 0;
  /** The body: most answers arrive in one chunk, so the list is made only for a second one. */
  private firstChunk: Buffer | null = null;
  private moreChunks: Buffer[] | null = null;

  constructor(
    readonly requestBytes: Buffer,
    public retryOnFresh: boolean,
    private readonly jar: CookieJar | undefined,
    readonly timeoutMs: number,
    private readonly inFlight: InFlight,
    private readonly connections: Connections,
    private readonly resolve: (r: HttpResult) => void,
  ) {
    this.deadline = this.startedAt + timeoutMs;
  }

  useConnection(conn: Connection): void {
    // Timed out or aborted while waiting for a connection: pass the connection on unused.
    if (this.settled) return this.connections.release(conn);
    this.conn = conn;
    conn.send(this);
  }

  /** Ends the request with `err`, whether or not it has reached a connection yet. */
  abort(err: Error): void {
    if (this.settled) return;
    const conn = this.conn;
    this.conn = null;
    const reason = conn ? conn.deadlineError(err, this.timeoutMs) : err;
    this.fail(reason);
    conn?.abort(reason);
  }

  onHead(head: ResponseHead): void {
    this.status = head.status;
    this.ttfbMs = performance.now() - this.startedAt;
    this.contentType = head.contentType;
    if (head.setCookie && this.jar) this.jar.store(head.setCookie);
  }

  onBody(chunk: Buffer): void {
    if (this.firstChunk === null) this.firstChunk = chunk;
    else (this.moreChunks ??= [this.firstChunk]).push(chunk);
  }

  onEnd(): void {
    this.conn = null;
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

  onFailure(err: Error): void {
    this.conn = null;
    this.fail(err);
  }

  /** Ends the caller's wait with `err`. */
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
