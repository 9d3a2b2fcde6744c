import type { Connection, Exchange } from './connection.ts';
import type { Connections } from './connections.ts';
import type { CookieJar } from './cookies.ts';
import type { Abortable, InFlight } from './in-flight.ts';
import type { ResponseHead } from './response-parser.ts';

/** Body bytes held for a consumer that lags before the socket is paused (TCP then slows the server). Units: bytes. */
const HIGH_WATER_BYTES = 64 * 1024;

/** Ends a stream whose consumer stopped reading before the body ended: the rest is not wanted. */
class StreamReleasedError extends Error {
  override name = 'AbortError';
  constructor() {
    super('the stream was closed before its body ended');
  }
}

/**
 * One streamed request of HttpClient.stream: the head resolves `head`, the body is read through
 * `body` (an async iterable of the chunks as they arrived). When the consumer lags by more than
 * HIGH_WATER_BYTES the socket is paused until it catches up. The whole request — consumption
 * included — is bounded by its deadline (InFlight's sweeper), as today's signal bounded it.
 */
export class StreamResponse implements Exchange, Abortable {
  readonly startedAt = performance.now();
  readonly deadline: number;
  readonly head: Promise<ResponseHead>;
  private resolveHead!: (head: ResponseHead) => void;
  private rejectHead!: (err: Error) => void;
  private conn: Connection | null = null;
  private headSeen = false;
  private finished = false;
  private error: Error | null = null;
  private readonly queue: Buffer[] = [];
  private queuedBytes = 0;
  private paused = false;
  /** A consumer waiting in next() for the next chunk. */
  private reader: { resolve: (r: IteratorResult<Buffer>) => void; reject: (err: Error) => void } | null = null;

  constructor(
    readonly requestBytes: Buffer,
    public retryOnFresh: boolean,
    private readonly jar: CookieJar | undefined,
    readonly timeoutMs: number,
    private readonly inFlight: InFlight,
    private readonly connections: Connections,
  ) {
    this.deadline = this.startedAt + timeoutMs;
    this.head = new Promise<ResponseHead>((resolve, reject) => {
      this.resolveHead = resolve;
      this.rejectHead = reject;
    });
    // The caller may stop waiting (its own abort) before the head: the rejection is then nobody's.
    this.head.catch(() => undefined);
  }

  /** True once the body ended or the request failed. */
  get done(): boolean {
    return this.finished;
  }

  useConnection(conn: Connection): void {
    if (this.finished) return this.connections.release(conn);
    this.conn = conn;
    conn.send(this);
  }

  abort(err: Error): void {
    if (this.finished) return;
    const conn = this.conn;
    this.conn = null;
    const reason = conn ? conn.deadlineError(err, this.timeoutMs) : err;
    this.fail(reason);
    conn?.abort(reason);
  }

  /** The consumer is done with the body: a response still arriving is cut off (its connection cannot be reused). */
  release(): void {
    this.abort(new StreamReleasedError());
  }

  onHead(head: ResponseHead): void {
    this.headSeen = true;
    if (head.setCookie && this.jar) this.jar.store(head.setCookie);
    this.resolveHead(head);
  }

  onBody(chunk: Buffer): void {
    const reader = this.reader;
    if (reader) {
      this.reader = null;
      return reader.resolve({ value: chunk, done: false });
    }
    this.queue.push(chunk);
    this.queuedBytes += chunk.length;
    if (!this.paused && this.queuedBytes > HIGH_WATER_BYTES) {
      this.paused = true;
      this.conn?.pause();
    }
  }

  onEnd(): void {
    this.conn = null;
    this.finish();
    const reader = this.reader;
    this.reader = null;
    reader?.resolve({ value: undefined, done: true });
  }

  onFailure(err: Error): void {
    this.conn = null;
    this.fail(err);
  }

  /** The body, chunk by chunk; throws the request's error if it fails or times out while being read. */
  body(): AsyncIterable<Buffer> {
    return { [Symbol.asyncIterator]: () => ({ next: () => this.next(), return: () => this.stopReading() }) };
  }

  private next(): Promise<IteratorResult<Buffer>> {
    const chunk = this.queue.shift();
    if (chunk) {
      this.queuedBytes -= chunk.length;
      if (this.paused && this.queuedBytes <= HIGH_WATER_BYTES / 2) {
        this.paused = false;
        this.conn?.resume();
      }
      return Promise.resolve({ value: chunk, done: false });
    }
    if (this.error) return Promise.reject(this.error);
    if (this.finished) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.reader = { resolve, reject };
    });
  }

  /** `break` out of the body loop: the rest of the response is not wanted. */
  private stopReading(): Promise<IteratorResult<Buffer>> {
    this.release();
    this.queue.length = 0;
    return Promise.resolve({ value: undefined, done: true });
  }

  private fail(err: Error): void {
    if (this.finished) return;
    this.error = err;
    this.finish();
    if (!this.headSeen) return this.rejectHead(err);
    const reader = this.reader;
    this.reader = null;
    reader?.reject(err);
  }

  private finish(): void {
    this.finished = true;
    this.inFlight.delete(this);
  }
}
