/**
 * The errors the load engine's own HTTP/1.1 transport ends a request with. Each carries a `code`
 * (as Node's socket errors do) so classify.ts can tell a timeout or an abort from a network failure
 * and `describe` prints what happened in one line.
 */

/** The answer is not HTTP/1.1 we can read (bad status line, header, length or chunk). */
export class MalformedResponseError extends Error {
  override name = 'MalformedResponseError';
  readonly code = 'ERR_MALFORMED_RESPONSE';
  constructor(why: string) {
    super(`malformed HTTP response: ${why}`);
  }
}

/** The server closed (or reset) the connection before the response was complete. */
export class ConnectionClosedError extends Error {
  override name = 'ConnectionClosedError';
  readonly code = 'ERR_CONNECTION_CLOSED';
  constructor(
    when: string,
    /** The socket error behind it, if the socket reported one (ECONNRESET, EPIPE…). */
    override readonly cause?: Error,
  ) {
    super(`the server closed the connection ${when}${cause ? ` (${(cause as { code?: string }).code ?? cause.message})` : ''}`);
  }
}

/** The error a request ends in when its whole-request deadline passes; classified as `timeout`. */
export class RequestTimeoutError extends Error {
  override name = 'TimeoutError';
  readonly code = 'ERR_REQUEST_TIMEOUT';
  constructor(timeoutMs: number) {
    super(`request did not finish within ${timeoutMs} ms`);
  }
}

/**
 * No connection within the connect limit (a dropped SYN, a TLS handshake that never finishes):
 * a `timeout`, and its message says "connect" so a target that is unreachable is not mistaken for
 * one that is slow to answer (diagnose/preflight.ts tells them apart).
 */
export class ConnectTimeoutError extends Error {
  override name = 'ConnectTimeoutError';
  readonly code = 'ERR_CONNECT_TIMEOUT';
  constructor(where: string, ms: number) {
    super(`connect timed out: no connection to ${where} within ${ms} ms`);
  }
}

/** Requests still waiting or running when the client is closed end with this; classified as `network`. */
export class ClientClosedError extends Error {
  override name = 'ClientClosedError';
  readonly code = 'ERR_CLIENT_CLOSED';
  constructor() {
    super('the HTTP client was closed');
  }
}

/** The error requests end in when the run's signal aborts: its reason, else a standard AbortError. */
export function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new DOMException('This operation was aborted', 'AbortError');
}
