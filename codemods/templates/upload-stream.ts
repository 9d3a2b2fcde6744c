/**
 * Bounded concurrent uploads, and a File handed on as a stream instead of a second in-memory copy.
 *
 * The memo's fix 7 was wrong: slicing an `arrayBuffer()` that is already fully in memory into 1 MB chunks and
 * `Buffer.concat`-ing them copies the file twice more; peak memory goes up, not down. What bounds memory is
 * (a) never making the copy (stream the File to its destination) and (b) capping how many uploads run at once.
 *
 * `request.formData()` parses the whole multipart body into memory, so the slot must be taken before the body is
 * read: a body that waits for a slot unread stays in the socket (TCP back-pressure), and memory is bounded by
 * slots × file size. Better still, readMultipartFile (multipart-stream.ts) streams the file part with busboy.
 */
import { Readable } from 'node:stream';
import PQueue from 'p-queue';
import { intFromEnv } from './env-int.js';

export interface UploadSlotOptions {
  /** Uploads in flight at once. */
  maxConcurrency: number;
  /** Uploads allowed to wait for a slot; one more is refused at once with UploadBusyError. */
  maxQueued: number;
  /** Longest a caller waits for a slot before UploadBusyError. Units: milliseconds. */
  maxWaitMs: number;
}

const settings: UploadSlotOptions = {
  maxConcurrency: intFromEnv('UPLOAD_MAX_CONCURRENCY', 3, 1),
  maxQueued: intFromEnv('UPLOAD_MAX_QUEUED', 100, 0),
  maxWaitMs: intFromEnv('UPLOAD_MAX_WAIT_MS', 30_000, 1),
};

let queue = new PQueue({ concurrency: settings.maxConcurrency });
const counters = { active: 0, maxActiveSeen: 0, completed: 0, refused: 0 };

/** Thrown when no upload slot frees up in time (or the waiting line is full); answer it with HTTP 503. */
export class UploadBusyError extends Error {
  readonly status = 503;
  /** For the Retry-After header: about how long a slot takes to free up. Units: seconds. */
  readonly retryAfterSeconds = 5;
  constructor(reason: string) {
    super(`Too many uploads in progress (${reason}). Please try again in a moment.`);
    this.name = 'UploadBusyError';
  }
}

/** Changes the limits at run time (tests, or an app that reads its own config). Takes effect for new calls. */
export function configureUploadSlots(options: Partial<UploadSlotOptions>): void {
  Object.assign(settings, options);
  queue = new PQueue({ concurrency: settings.maxConcurrency });
  counters.maxActiveSeen = counters.active;
  counters.completed = 0;
  counters.refused = 0;
}

export function uploadSlotStats() {
  return { ...counters, queued: queue.size, settings: { ...settings } };
}

/**
 * Runs `fn` once one of `UPLOAD_MAX_CONCURRENCY` (default 3) slots is free. A caller waits at most
 * `UPLOAD_MAX_WAIT_MS` for a slot; once `fn` has started it is never cut short by this wait bound.
 */
export async function withUploadSlot<T>(fn: () => Promise<T>): Promise<T> {
  if (queue.size >= settings.maxQueued) {
    counters.refused++;
    throw new UploadBusyError(`${queue.size} already waiting`);
  }
  const waiting = new AbortController();
  const timer = setTimeout(() => waiting.abort(), settings.maxWaitMs);
  let started = false;
  const run = async (): Promise<T> => {
    started = true;
    clearTimeout(timer);
    counters.active++;
    counters.maxActiveSeen = Math.max(counters.maxActiveSeen, counters.active);
    try {
      return await fn();
    } finally {
      counters.active--;
      counters.completed++;
    }
  };
  try {
    // p-queue drops a task whose signal aborts before it starts; a started task ignores the signal.
    return await queue.add(run, { signal: waiting.signal });
  } catch (err) {
    // Aborted while still waiting: the upload never ran. Errors from a started upload pass through unchanged.
    if (!started && waiting.signal.aborted) {
      counters.refused++;
      throw new UploadBusyError(`no slot within ${settings.maxWaitMs} ms`);
    }
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** Size of the pieces fileToNodeStream reads. Units: bytes. */
export const STREAM_PIECE_BYTES = 256 * 1024;

async function* pieces(file: Blob, size: number): AsyncGenerator<Buffer> {
  for (let offset = 0; offset < file.size; offset += size) {
    // Blob.slice is a view; only this piece is copied out.
    yield Buffer.from(await file.slice(offset, offset + size).arrayBuffer());
  }
}

/**
 * The File (or any Blob) as a Node.js Readable of 256 KB pieces, read only as fast as the destination consumes
 * them: no second full copy in memory. (Node 20's `Blob.stream()` hands an in-memory Blob over as one chunk, a
 * full copy, hence the explicit slicing.)
 */
export function fileToNodeStream(file: Blob): Readable {
  return Readable.from(pieces(file, STREAM_PIECE_BYTES), { objectMode: false });
}
