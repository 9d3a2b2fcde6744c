/**
 * What a Gemini error says about retrying: the delay Google advertises (RetryInfo, Retry-After, "retry in 1.68s"),
 * whether the quota is per day (retrying soon cannot succeed), and the HTTP status an SDK error stands for.
 * Part of the Gemini queue (./gemini-queue.ts); no state of its own.
 */

/** The value of a JSON text, or undefined when it is not JSON (Google's error bodies are; proxies' may not be). */
export function tryParseJson(text: string): unknown {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return undefined;
  try {
    return JSON.parse(trimmed);
  } catch {
    return undefined;
  }
}

/** Every value stored under `key` anywhere in `body` (depth- and size-bounded). Also looks into Error messages
 *  and JSON text, because SDK errors carry Google's body as a string. */
function valuesUnder(body: unknown, key: string): unknown[] {
  const found: unknown[] = [];
  let budget = 500;
  const visit = (node: unknown, depth: number): void => {
    if (budget-- <= 0 || depth > 8 || node === null || node === undefined) return;
    if (typeof node === 'string') {
      const parsed = tryParseJson(node);
      if (parsed !== undefined) visit(parsed, depth + 1);
      return;
    }
    if (typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const item of node) visit(item, depth + 1);
      return;
    }
    if (node instanceof Error) visit(node.message, depth + 1);
    for (const [name, value] of Object.entries(node)) {
      if (name === key) found.push(value);
      else visit(value, depth + 1);
    }
  };
  visit(body, 0);
  return found;
}

function durationToMs(value: unknown): number | null {
  if (typeof value === 'string') {
    const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s)?\s*$/.exec(value);
    if (!match) return null;
    const amount = Number(match[1]);
    return Math.round(match[2] === 'ms' ? amount : amount * 1000);
  }
  if (value && typeof value === 'object' && 'seconds' in value) {
    const { seconds, nanos } = value as { seconds?: unknown; nanos?: unknown };
    return Math.round(Number(seconds ?? 0) * 1000 + Number(nanos ?? 0) / 1e6) || null;
  }
  return null;
}

function messageText(body: unknown): string {
  if (typeof body === 'string') return body;
  if (body instanceof Error) return body.message;
  try {
    return JSON.stringify(body) ?? '';
  } catch {
    return '';
  }
}

/**
 * The retry delay Google advertises: `google.rpc.RetryInfo.retryDelay` ("1s", "1.68s") in a JSON error body
 * (object, JSON text, or an SDK error carrying either), else "Please retry in 1.68s." in the message.
 */
export function parseRetryDelayMs(body: unknown): number | null {
  const delays = valuesUnder(body, 'retryDelay')
    .map(durationToMs)
    .filter((ms): ms is number => ms !== null);
  const text = messageText(body);
  const quoted = /retryDelay\\?"?\s*:\s*\\?"(\d+(?:\.\d+)?)s/.exec(text);
  if (quoted) delays.push(Math.round(Number(quoted[1]) * 1000));
  // Google's message sometimes states a finer delay ("retry in 1.68s") than RetryInfo ("1s"): take the longer.
  const prose = /retry in (\d+(?:\.\d+)?)\s*(ms|s)\b/i.exec(text);
  if (prose) delays.push(Math.round(Number(prose[1]) * (prose[2]!.toLowerCase() === 'ms' ? 1 : 1000)));
  return delays.length > 0 ? Math.max(...delays) : null;
}

/** True when a 429 names a per-day quota (`quotaId` containing "PerDay"): retrying soon cannot succeed. */
export function isPerDayQuota(body: unknown): boolean {
  if (valuesUnder(body, 'quotaId').some((id) => typeof id === 'string' && id.includes('PerDay'))) return true;
  return /quotaId\\?"?\s*:\s*\\?"[\w.-]*PerDay/.test(messageText(body));
}

/** `Retry-After` as seconds or an HTTP date. Units: milliseconds. */
export function retryAfterHeaderMs(value: string | null): number | null {
  if (!value) return null;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}

/** The HTTP status an SDK error stands for (`status`, `statusCode` (the AI SDK's APICallError), `code`,
 *  `response.status`, or the message). */
export function errorStatus(error: unknown): number | null {
  if (!error || typeof error !== 'object') return null;
  const e = error as { status?: unknown; statusCode?: unknown; code?: unknown; response?: { status?: unknown }; message?: unknown };
  for (const candidate of [e.status, e.statusCode, e.code, e.response?.status]) {
    if (typeof candidate === 'number') return candidate;
    if (candidate === 'RESOURCE_EXHAUSTED') return 429;
    if (candidate === 'UNAVAILABLE') return 503;
  }
  const message = typeof e.message === 'string' ? e.message : '';
  if (/\b429\b|RESOURCE_EXHAUSTED|Too Many Requests/i.test(message)) return 429;
  if (/\b503\b|\bUNAVAILABLE\b|Service Unavailable/.test(message)) return 503;
  return null;
}
