import { UnreachableError, UsageError } from '../errors.ts';
import type { HttpClient } from '../load/http.ts';
import { redact } from '../redact.ts';

/** Parses --url; only http(s), no trailing slash. Credentials in the URL are refused (they would leak into logs). */
export function parseTargetUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--url ${redact(raw)} is not a URL`, 'e.g. --url http://127.0.0.1:3000');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--url must be http or https, got ${url.protocol}`);
  if (url.username || url.password) throw new UsageError('--url must not carry credentials; put them in --config credentials');
  return url;
}

export function isLoopback(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\./.test(host) || host.endsWith('.localhost');
}

/** A health check slower than this is worth a line: every request of the run will be slow too. Units: ms. */
const SLOW_MS = 2_000;

/**
 * One request to see the target answer at all. Any HTTP status counts as reachable. A target that
 * accepts the connection but answers slowly is slow, not unreachable: it gets up to the config's
 * request timeout, and a line saying how slow it is.
 */
export async function checkReachable(client: HttpClient, path: string, timeoutMs = 30_000, log: (line: string) => void = () => undefined): Promise<void> {
  const res = await client.request(path, { timeoutMs });
  if (res.errorClass === 'aborted') return;
  // A connect timeout (a dropped SYN) is unreachable; a timeout waiting for the answer is slowness.
  if (res.status === 0 && res.errorClass === 'timeout' && !/connect/i.test(res.errorMessage ?? '')) {
    throw new UnreachableError(
      `target ${client.origin} accepted the connection but did not answer GET ${path} within ${(timeoutMs / 1000).toFixed(0)} s: it is too slow or stuck, not down`,
      'if it is only slow, raise timeouts.requestMs in --config',
    );
  }
  if (res.status === 0) {
    throw new UnreachableError(`target ${client.origin} is unreachable (${res.errorClass}: ${redact(res.errorMessage ?? '')})`.replace(/\s+/g, ' '), 'check --url and that the app is running');
  }
  if (res.durationMs > SLOW_MS) {
    log(`target is slow: GET ${path} took ${(res.durationMs / 1000).toFixed(1)} s (each request may wait up to ${(timeoutMs / 1000).toFixed(0)} s)`);
  }
}
