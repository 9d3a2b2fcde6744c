import { classifyResponse, classifyThrown, type ErrorClass } from './classify.ts';
import { describe, type HttpClient, type StreamMeta } from './http.ts';
import type { CookieJar } from './cookies.ts';

/**
 * What one streamed AI reply looked like on the wire. Complete means: the finish part arrived and
 * every line parsed. Units: milliseconds, chars.
 */
export interface ChatStreamResult {
  format: 'data-stream' | 'ui-message-stream' | 'unknown';
  status: number;
  ttfbMs: number | null;
  /** Request start → first text part. */
  ttftMs: number | null;
  totalMs: number;
  /** Longest pause between two chunks (time to the first chunk is ttfb/ttft). */
  maxGapMs: number;
  bytes: number;
  lines: number;
  unparsedLines: number;
  text: string;
  errorParts: string[];
  finishReason: string | null;
  finishPresent: boolean;
  complete: boolean;
  /** The answer was an HTML page, not a stream (wrong route, login page). */
  html?: boolean;
  /** Set when no usable stream arrived: HTTP error, timeout, network. */
  failure?: ErrorClass;
  failureMessage?: string;
}

type Part = { text?: string; error?: string; finish?: { reason: string | null } };

/** AI SDK v4 data-stream line `TYPE:JSON`. */
function parseDataStreamLine(line: string): Part | null {
  const m = /^([0-9a-z]):(.*)$/s.exec(line);
  if (!m) return null;
  let value: unknown;
  try {
    value = JSON.parse(m[2] as string);
  } catch {
    return null;
  }
  const type = m[1];
  if (type === '0') return typeof value === 'string' ? { text: value } : null;
  if (type === '3') return { error: typeof value === 'string' ? value : JSON.stringify(value) };
  if (type === 'd') {
    const reason = (value as { finishReason?: unknown })?.finishReason;
    return { finish: { reason: typeof reason === 'string' ? reason : null } };
  }
  return {};
}

/** AI SDK v5 UI message stream: one SSE `data:` payload. */
function parseSsePayload(payload: string): Part | null {
  if (payload === '[DONE]') return {};
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(payload) as Record<string, unknown>;
  } catch {
    return null;
  }
  switch (value.type) {
    case 'text-delta': {
      const delta = value.delta ?? value.textDelta;
      return typeof delta === 'string' ? { text: delta } : null;
    }
    case 'error':
      return { error: String(value.errorText ?? value.error ?? 'error') };
    case 'finish': {
      const reason = value.finishReason ?? (value.messageMetadata as { finishReason?: unknown } | undefined)?.finishReason;
      return { finish: { reason: typeof reason === 'string' ? reason : 'stop' } };
    }
    default:
      return {};
  }
}

/** Reads a chat stream to the end, whichever of the two AI SDK formats it uses. */
export async function readChatStream(body: AsyncIterable<Buffer>, meta: StreamMeta): Promise<ChatStreamResult> {
  const decoder = new TextDecoder();
  const texts: string[] = [];
  const result = blankResult({
    format: /text\/event-stream/i.test(meta.contentType) ? 'ui-message-stream' : 'unknown',
    status: meta.status,
    ttfbMs: meta.ttfbMs,
  });
  let tail = '';
  let last: number | null = null;

  const handleLine = (raw: string) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '') return;
    if (result.format === 'unknown') result.format = line.startsWith('data:') ? 'ui-message-stream' : 'data-stream';
    let part: Part | null;
    if (result.format === 'ui-message-stream') {
      if (line.startsWith(':') || /^(event|id|retry):/.test(line)) return;
      part = line.startsWith('data:') ? parseSsePayload(line.slice(5).trimStart()) : null;
    } else {
      part = parseDataStreamLine(line);
    }
    result.lines++;
    if (!part) {
      result.unparsedLines++;
      return;
    }
    if (part.text !== undefined) {
      if (result.ttftMs === null) result.ttftMs = performance.now() - meta.startedAt;
      texts.push(part.text);
    }
    if (part.error !== undefined) result.errorParts.push(part.error);
    if (part.finish) {
      result.finishPresent = true;
      result.finishReason = part.finish.reason;
    }
  };

  try {
    for await (const chunk of body) {
      const now = performance.now();
      if (last !== null) result.maxGapMs = Math.max(result.maxGapMs, now - last);
      last = now;
      result.bytes += chunk.length;
      const lines = (tail + decoder.decode(chunk, { stream: true })).split('\n');
      tail = lines.pop() ?? '';
      for (const line of lines) handleLine(line);
    }
    tail += decoder.decode();
    if (tail) handleLine(tail);
  } catch (err) {
    result.failure = classifyThrown(err);
    result.failureMessage = `stream cut after ${result.bytes} bytes: ${describe(err)}`;
  }
  result.text = texts.join('');
  result.totalMs = performance.now() - meta.startedAt;
  result.complete = !result.failure && result.finishPresent && result.unparsedLines === 0;
  return result;
}

/** POSTs a chat message and reads the streamed reply; never throws. */
export async function chat(
  client: HttpClient,
  path: string,
  message: string,
  jar: CookieJar | undefined,
  timeoutMs: number,
): Promise<ChatStreamResult> {
  const startedAt = performance.now();
  try {
    return await client.stream(path, { method: 'POST', json: { message }, jar, timeoutMs }, async (body, meta) => {
      if (meta.status >= 400 || /text\/html/i.test(meta.contentType)) {
        const chunks: Buffer[] = [];
        for await (const c of body) chunks.push(c);
        const text = Buffer.concat(chunks).toString('utf8');
        if (meta.status < 400) {
          const r = failed(meta.status, performance.now() - startedAt, '4xx', `answered HTML (${meta.status}) where a chat stream was expected`, meta.ttfbMs);
          return { ...r, html: true };
        }
        return failed(meta.status, performance.now() - startedAt, classifyResponse(meta.status, text) ?? '5xx', `HTTP ${meta.status}: ${text.slice(0, 200)}`, meta.ttfbMs);
      }
      return readChatStream(body, meta);
    });
  } catch (err) {
    return failed(0, performance.now() - startedAt, classifyThrown(err), describe(err), null);
  }
}

function failed(status: number, totalMs: number, failure: ErrorClass, failureMessage: string, ttfbMs: number | null): ChatStreamResult {
  return { ...blankResult({ format: 'unknown', status, ttfbMs }), totalMs, failure, failureMessage };
}

/** A result with nothing received yet: the one place its zero values are spelled out. */
function blankResult(start: Pick<ChatStreamResult, 'format' | 'status' | 'ttfbMs'>): ChatStreamResult {
  return {
    ...start,
    ttftMs: null,
    totalMs: 0,
    maxGapMs: 0,
    bytes: 0,
    lines: 0,
    unparsedLines: 0,
    text: '',
    errorParts: [],
    finishReason: null,
    finishPresent: false,
    complete: false,
  };
}
