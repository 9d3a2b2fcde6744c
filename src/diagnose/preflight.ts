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

/** One request to see the target answer at all. Any HTTP status counts as reachable. */
export async function checkReachable(client: HttpClient, path: string): Promise<void> {
  const res = await client.request(path, { timeoutMs: 10_000 });
  if (res.status === 0 && res.errorClass !== 'aborted') {
    throw new UnreachableError(`target ${client.origin} is unreachable (${res.errorClass}: ${redact(res.errorMessage ?? '')})`.replace(/\s+/g, ' '));
  }
}
