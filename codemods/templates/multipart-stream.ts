/**
 * One file part of a multipart request, handed on as a stream while the body is still arriving: nothing is held
 * whole in memory. `request.formData()` parses (and keeps) the entire body before the route sees the File; this
 * parses `request.body` incrementally with busboy, so an upload that is not being consumed leaves its bytes in the
 * socket (TCP back-pressure) instead of in the heap.
 *
 * Only the named file part is kept; other file parts are drained and dropped. Text fields that arrive before the
 * file part are in `fields` (a client that sends them after the file is not waited for: the file is handed out as
 * soon as it starts).
 */
import { Readable, Transform } from 'node:stream';
import type { ReadableStream as NodeWebReadableStream } from 'node:stream/web';
import busboy from 'busboy';

/** The multipart body could not be parsed (not multipart, malformed, no body): answer it with HTTP 400. */
export class MultipartError extends Error {
  readonly status: number = 400;
  constructor(message: string) {
    super(message);
    this.name = 'MultipartError';
  }
}

/** The file part exceeded `maxBytes`: answer it with HTTP 413. readMultipartFile rejects with it, or (once the
 * file has been handed out) its stream fails with it. */
export class FileTooLargeError extends MultipartError {
  override readonly status = 413;
  constructor(readonly maxBytes: number) {
    super(`The file is larger than ${maxBytes} bytes.`);
    this.name = 'FileTooLargeError';
  }
}

export interface StreamedFile {
  /** The part's filename, as `File.name`. */
  readonly name: string;
  /** The part's content type, as `File.type`. */
  readonly type: string;
  /** The file's bytes, read from the request only as fast as this stream is consumed. */
  readonly stream: Readable;
  /**
   * Bytes of the file that have passed through `stream` so far. When readMultipartFile resolves it is 0 exactly
   * when the file is empty (it resolves on the first chunk or on the end); once the stream has ended it is the
   * file's size.
   */
  readonly size: number;
  /** Text fields that arrived before the file part. */
  readonly fields: Readonly<Record<string, string>>;
}

export interface ReadMultipartOptions {
  /** Largest accepted file; beyond it the stream fails with FileTooLargeError. Units: bytes. */
  maxBytes?: number;
}

/**
 * Resolves with the file part named `field` (null when the body has none), as soon as its first bytes (or its
 * end) arrive. Rejects with MultipartError when the body is not a readable multipart body.
 */
export function readMultipartFile(request: Request, field: string, opts: ReadMultipartOptions = {}): Promise<StreamedFile | null> {
  return new Promise((resolve, reject) => {
    const contentType = request.headers.get('content-type') ?? '';
    if (!request.body) return reject(new MultipartError('The request has no body.'));
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: { 'content-type': contentType },
        limits: { files: 20, ...(opts.maxBytes !== undefined ? { fileSize: opts.maxBytes } : {}) },
      });
    } catch (err) {
      return reject(new MultipartError(`Not a multipart body: ${(err as Error).message}`));
    }
    const source = Readable.fromWeb(request.body as unknown as NodeWebReadableStream<Uint8Array>);
    const fields: Record<string, string> = {};
    let settled = false;
    let out: Transform | undefined;
    const settle = (value: StreamedFile | null | Error) => {
      if (settled) return;
      settled = true;
      if (value instanceof Error) reject(value);
      else resolve(value);
    };
    const fail = (err: Error) => {
      const error = err instanceof MultipartError ? err : new MultipartError(err.message);
      source.unpipe(parser);
      source.destroy();
      if (out && !out.destroyed) out.destroy(error);
      settle(error);
    };

    parser.on('field', (name, value) => {
      if (!out) fields[name] = value;
    });
    parser.on('file', (name, part, info) => {
      if (out || name !== field) {
        part.resume();
        return;
      }
      let size = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          size += chunk.length;
          done(null, chunk);
          settle(file);
        },
        flush(done) {
          done();
          settle(file);
        },
      });
      out = counter;
      // The consumer sees a failure through its own pipeline (an errored stream reports its error to a late
      // reader); one that has not attached yet must not take the process down.
      counter.on('error', () => {});
      const file: StreamedFile = {
        name: info.filename ?? '',
        type: info.mimeType,
        stream: counter,
        get size() {
          return size;
        },
        fields: { ...fields },
      };
      part.on('limit', () => fail(new FileTooLargeError(opts.maxBytes!)));
      part.on('error', (err: Error) => fail(err));
      part.pipe(counter);
      // An empty part ends without a chunk: the flush above settles it once the consumer reads.
      part.on('end', () => settle(file));
    });
    parser.on('error', (err: Error) => fail(err));
    parser.on('close', () => {
      // No file part arrived: drain nothing more, answer null (as formData().get() would).
      settle(null);
    });
    source.on('error', (err: Error) => fail(err));
    source.pipe(parser);
  });
}
