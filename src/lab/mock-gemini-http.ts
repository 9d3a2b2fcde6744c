/** Small HTTP plumbing for the mock: JSON answers, bounded body reads, writes that respect backpressure. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { googleError } from './mock-gemini-wire.ts';

const MAX_BODY_BYTES = 20 * 1024 * 1024;

export function sendJson(res: ServerResponse, status: number, body: object, contentType = 'application/json; charset=UTF-8'): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export class RequestError extends Error {
  constructor(readonly status: number, readonly body: object) {
    super('request rejected');
  }
}

export const badRequest = (message: string) => new RequestError(400, googleError(400, 'INVALID_ARGUMENT', message));

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw badRequest('Request payload size exceeds the limit: 20971520 bytes.');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Writes and waits for the socket to drain; false once the client is gone. */
export async function write(res: ServerResponse, chunk: string, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  if (!res.write(chunk)) {
    await new Promise<void>((resolve) => {
      const done = () => {
        res.off('drain', done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      res.on('drain', done);
      signal.addEventListener('abort', done);
    });
  }
  return !signal.aborted;
}
