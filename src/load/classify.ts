/**
 * Error classes a user-facing request can end in. Body classes name the database mechanism when the
 * app lets the message through (Prisma pool wait, Postgres refusing connections).
 */
export type ErrorClass =
  | 'timeout'
  | 'network'
  | 'aborted'
  | '5xx'
  | '4xx'
  | 'pool-timeout'
  | 'too-many-clients'
  | 'connection-timeout';

const bodyClasses: Array<[RegExp, ErrorClass]> = [
  [/Timed out fetching a new connection|\bP2024\b/i, 'pool-timeout'],
  [/sorry, too many clients already|remaining connection slots are reserved|\bP2037\b|Too many database connections/i, 'too-many-clients'],
  [/Connection terminated due to connection timeout|timeout exceeded when trying to connect/i, 'connection-timeout'],
];

/** The database mechanism named in a response body, if any. */
export function classifyBody(text: string): ErrorClass | null {
  for (const [re, cls] of bodyClasses) if (re.test(text)) return cls;
  return null;
}

/** null when the response is a success (2xx/3xx without a database error text). */
export function classifyResponse(status: number, body: string): ErrorClass | null {
  if (status < 400) return null;
  return classifyBody(body) ?? (status >= 500 ? '5xx' : '4xx');
}

/** Error names and codes that mean the request ran out of time: the engine's whole-request and connect deadlines (wire-errors.ts), AbortSignal.timeout, undici's phase timers (scenarios that call undici directly). */
const TIMEOUT_NAMES = new Set(['TimeoutError', 'ERR_REQUEST_TIMEOUT', 'ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * Classes a thrown request error. Everything that is neither a timeout nor an abort is `network`:
 * Node's socket errors (ECONNREFUSED, ECONNRESET, EPIPE, ENOTFOUND), TLS failures (certificate
 * not trusted, name mismatch), a server closing mid-answer or answering malformed HTTP
 * (wire-errors.ts), the client being closed.
 */
export function classifyThrown(err: unknown): ErrorClass {
  const e = err as { name?: string; code?: string; cause?: { name?: string; code?: string } } | undefined;
  const names = [e?.name, e?.code, e?.cause?.name, e?.cause?.code];
  if (names.some((n) => n !== undefined && TIMEOUT_NAMES.has(n))) return 'timeout';
  if (names.some((n) => n === 'AbortError' || n === 'UND_ERR_ABORTED')) return 'aborted';
  return 'network';
}

export function emptyErrorCounts(): Record<ErrorClass, number> {
  return { timeout: 0, network: 0, aborted: 0, '5xx': 0, '4xx': 0, 'pool-timeout': 0, 'too-many-clients': 0, 'connection-timeout': 0 };
}

/** A thrown error as one line, with its code when the message lacks it. */
export function describe(err: unknown): string {
  const e = err as { name?: string; message?: string; code?: string; cause?: { message?: string; code?: string } };
  const code = e?.code ?? e?.cause?.code;
  const msg = e?.message ?? String(err);
  return code && !msg.includes(code) ? `${code}: ${msg}` : msg;
}
