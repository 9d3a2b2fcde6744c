import { parseHead, type ResponseHead } from './response-head.ts';
import { MalformedResponseError } from './wire-errors.ts';

export type { ResponseHead } from './response-head.ts';

/** Larger heads are refused (Node's own limit is 16 KiB; some apps send long cookie lists). */
const MAX_HEAD_BYTES = 64 * 1024;
/** Trailers are read and dropped; this bounds what a broken server can make us hold. */
const MAX_TRAILER_BYTES = 64 * 1024;
const CR = 0x0d;
const LF = 0x0a;
const HEAD_END = Buffer.from('\r\n\r\n');

/** Where the parser is within one response. */
const enum State {
  Head,
  /** A body of known length: `remaining` bytes left. */
  Fixed,
  /** A body that ends when the server closes the connection. */
  UntilClose,
  ChunkSize,
  /** After `;` on a chunk-size line: extensions are skipped. */
  ChunkExtension,
  ChunkSizeLf,
  ChunkData,
  ChunkDataCr,
  ChunkDataLf,
  /** At the start of a trailer line (or of the empty line that ends the message). */
  TrailerLineStart,
  TrailerLine,
  TrailerEndLf,
  Done,
  /** Detached by the connection (the request was aborted): bytes are ignored. */
  Stopped,
}

/** What a parser reports one response to; the connection forwards it to the request it carries. */
export interface ResponseSink {
  onResponseHead(head: ResponseHead): void;
  onResponseBody(chunk: Buffer): void;
  /** `reusable`: the connection may carry another request (framing was clean and nobody asked to close). */
  onResponseEnd(reusable: boolean): void;
}

/**
 * An incremental HTTP/1.1 response parser for one connection, one response at a time: bytes go in
 * as the socket delivers them, split anywhere, and the head, body slices and end come out. Bodies
 * are framed by Content-Length, chunked encoding or the connection's close; 1xx answers are skipped;
 * 204 and 304 have no body. Anything it cannot read throws MalformedResponseError.
 */
export class ResponseParser {
  private state = State.Head;
  /** Head bytes (or a chunk-size line's digits) received so far when they came in pieces. */
  private pendingHead: Buffer | null = null;
  private remaining = 0;
  private chunkSizeDigits = 0;
  private trailerBytes = 0;
  private head: ResponseHead | null = null;
  /** Bytes of the current response received (the connection tells "nothing arrived" from "cut short"). */
  received = 0;

  constructor(private readonly sink: ResponseSink) {}

  /** Ready for the next response on the same connection. */
  reset(): void {
    this.state = State.Head;
    this.pendingHead = null;
    this.head = null;
    this.received = 0;
  }

  /** Ignore everything from now on (the connection is being torn down). */
  stop(): void {
    this.state = State.Stopped;
    this.pendingHead = null;
  }

  /** True once the response has ended (and until reset). */
  get done(): boolean {
    return this.state === State.Done;
  }

  feed(bytes: Buffer): void {
    if (this.state === State.Stopped || this.state === State.Done) return;
    this.received += bytes.length;
    let at = 0;
    while (at < bytes.length) {
      // A sink's callback can stop the parser (an aborted request): re-read the state each time.
      switch (this.state as State) {
        case State.Head:
          at = this.readHead(bytes, at);
          break;
        case State.Fixed: {
          const take = Math.min(this.remaining, bytes.length - at);
          this.remaining -= take;
          const slice = at === 0 && take === bytes.length ? bytes : bytes.subarray(at, at + take);
          at += take;
          this.sink.onResponseBody(slice);
          if (this.state === State.Fixed && this.remaining === 0) this.state = State.Done;
          break;
        }
        case State.UntilClose:
          this.sink.onResponseBody(at === 0 ? bytes : bytes.subarray(at));
          at = bytes.length;
          break;
        case State.ChunkData: {
          const take = Math.min(this.remaining, bytes.length - at);
          this.remaining -= take;
          const slice = bytes.subarray(at, at + take);
          at += take;
          if (this.remaining === 0) this.state = State.ChunkDataCr;
          this.sink.onResponseBody(slice);
          break;
        }
        case State.Stopped:
          return;
        default:
          this.readChunkFraming(bytes[at] as number);
          at++;
      }
      // Bytes after the end, with no request asking for them: the connection cannot be trusted
      // to frame another response, so it is not reused.
      if (this.state === State.Done) return this.finish(at < bytes.length);
    }
  }

  /**
   * The server closed the connection. True when that ended the response (a close-delimited body);
   * false when the response was cut short or never started (`received` tells which).
   */
  end(): boolean {
    if (this.state !== State.UntilClose) return this.state === State.Done;
    this.state = State.Done;
    this.sink.onResponseEnd(false);
    return true;
  }

  /** Reads head bytes from `at`; returns where the body starts (or bytes.length while the head is incomplete). */
  private readHead(bytes: Buffer, at: number): number {
    const piece = at === 0 ? bytes : bytes.subarray(at);
    const prior = this.pendingHead;
    const data = prior ? Buffer.concat([prior, piece]) : piece;
    // A head split across reads: look again only where the terminator could newly start.
    const end = data.indexOf(HEAD_END, prior ? Math.max(0, prior.length - 3) : 0);
    if (end < 0) {
      if (data.length > MAX_HEAD_BYTES) throw new MalformedResponseError(`response head larger than ${MAX_HEAD_BYTES} bytes`);
      this.pendingHead = data;
      return bytes.length;
    }
    this.pendingHead = null;
    const consumed = end + 4 - (prior ? prior.length : 0);
    const head = parseHead(data.toString('latin1', 0, end));
    if (head.status < 200) {
      if (head.status === 101) throw new MalformedResponseError('101 Switching Protocols to a request that asked for no upgrade');
      return at + consumed; // 100 Continue, 103 Early Hints…: the real answer follows
    }
    this.head = head;
    if (head.status === 204 || head.status === 304 || (head.contentLength === 0 && !head.chunked && !head.otherEncoding)) {
      this.state = State.Fixed;
      this.sink.onResponseHead(head);
      if (this.state === State.Fixed) this.state = State.Done;
      return at + consumed;
    }
    if (head.chunked) {
      this.state = State.ChunkSize;
      this.chunkSizeDigits = 0;
      this.remaining = 0;
    } else if (head.contentLength > 0 && !head.otherEncoding) {
      this.state = State.Fixed;
      this.remaining = head.contentLength;
    } else {
      this.state = State.UntilClose;
    }
    this.sink.onResponseHead(head);
    return at + consumed;
  }

  /** One byte of chunked framing: a size line, the CRLF after data, or trailers. */
  private readChunkFraming(c: number): void {
    switch (this.state) {
      case State.ChunkSize: {
        const digit = hexValue(c);
        if (digit >= 0) {
          if (++this.chunkSizeDigits > 12) throw new MalformedResponseError('chunk size too large');
          this.remaining = this.remaining * 16 + digit;
        } else if (this.chunkSizeDigits === 0) {
          throw new MalformedResponseError('chunk size line without a size');
        } else if (c === 0x3b || c === 0x20 || c === 0x09) {
          this.state = State.ChunkExtension; // `;name=value` (or whitespace before it): skipped
        } else if (c === CR) {
          this.state = State.ChunkSizeLf;
        } else {
          throw new MalformedResponseError(`unexpected byte 0x${c.toString(16)} in a chunk size`);
        }
        return;
      }
      case State.ChunkExtension:
        if (c === CR) this.state = State.ChunkSizeLf;
        else if (c === LF) throw new MalformedResponseError('chunk size line ends without CR');
        return;
      case State.ChunkSizeLf:
        if (c !== LF) throw new MalformedResponseError('chunk size line ends without LF');
        if (this.remaining === 0) {
          this.state = State.TrailerLineStart;
          this.trailerBytes = 0;
        } else {
          this.state = State.ChunkData;
        }
        return;
      case State.ChunkDataCr:
        if (c !== CR) throw new MalformedResponseError('chunk data longer than its size');
        this.state = State.ChunkDataLf;
        return;
      case State.ChunkDataLf:
        if (c !== LF) throw new MalformedResponseError('chunk data not followed by CRLF');
        this.state = State.ChunkSize;
        this.chunkSizeDigits = 0;
        this.remaining = 0;
        return;
      case State.TrailerLineStart:
        if (c === CR) this.state = State.TrailerEndLf;
        else this.trailerByte(c);
        return;
      case State.TrailerLine:
        this.trailerByte(c);
        return;
      case State.TrailerEndLf:
        if (c !== LF) throw new MalformedResponseError('trailers do not end with CRLF');
        this.state = State.Done; // feed() ends the response
        return;
    }
  }

  private trailerByte(c: number): void {
    if (++this.trailerBytes > MAX_TRAILER_BYTES) throw new MalformedResponseError(`trailers larger than ${MAX_TRAILER_BYTES} bytes`);
    this.state = c === LF ? State.TrailerLineStart : State.TrailerLine;
  }

  /** The response is complete; `extraBytes`: more bytes follow it in the same read. */
  private finish(extraBytes: boolean): void {
    const head = this.head as ResponseHead;
    // Chunked and Content-Length together are a smuggling signature: answer this one, reuse nothing.
    const reusable = head.keepAlive && !extraBytes && !(head.chunked && head.contentLength >= 0);
    this.sink.onResponseEnd(reusable);
  }
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}
