import { classifyResponse, classifyThrown, type ErrorClass } from './classify.ts';
import { describe, type HttpClient, type RequestOptions, type StreamMeta } from './http.ts';
import type { CookieJar } from './cookies.ts';
import { formatFromFirstLine, formatFromHeaders, sseNonData, type Detection, type FormatSource, type Pending } from './formats/detect.ts';
import { ENDS_WITH_FINISH, FRAMING, PARSE, type StreamFormat } from './formats/parts.ts';

export type { StreamFormat } from './formats/parts.ts';
export { STREAM_FORMATS } from './formats/parts.ts';

/**
 * What one streamed AI reply looked like on the wire. Complete means: the stream ended cleanly,
 * every unit parsed, and — in formats that end with one — the finish part arrived. Where the format
 * has no finish part (`completeness: 'transport-only'`), a cut reply looks whole here: only the
 * reply's own check can tell. Units: milliseconds; `bytes` on the wire; `text` in UTF-16 code units.
 */
export interface ChatStreamResult {
  format: StreamFormat | 'unknown';
  /** How the format was told: forced by config, the AI SDK header, the content type, or the first line. */
  formatSource?: FormatSource;
  /** Whether `complete` could see a finish part, or only that the transport ended cleanly. */
  completeness?: 'finish-part' | 'transport-only';
  status: number;
  ttfbMs: number | null;
  /** Request start → first text part. */
  ttftMs: number | null;
  totalMs: number;
  /** Longest pause between two chunks (time to the first chunk is ttfb/ttft). */
  maxGapMs: number;
  /** Body bytes received, framing included. */
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

/**
 * Reads a chat stream to the end in whichever format it uses (src/load/formats): decided by
 * `forced`, else the response headers, else the first meaningful line.
 */
export async function readChatStream(body: AsyncIterable<Buffer>, meta: StreamMeta, forced?: StreamFormat): Promise<ChatStreamResult> {
  const decoder = new TextDecoder();
  const texts: string[] = [];
  const result = blankResult({ format: 'unknown', status: meta.status, ttfbMs: meta.ttfbMs });
  const first = formatFromHeaders(meta.headers, meta.contentType, forced);
  let detection: Detection | null = typeof first === 'string' ? null : first;
  const pending: Pending = typeof first === 'string' ? first : 'any';
  // Until the format is known, text is held so it can be read either way.
  let held = '';
  let firstDataAt: number | null = null;
  let tail = '';
  let last: number | null = null;

  const addText = (text: string, at: number) => {
    if (text === '') return;
    if (result.ttftMs === null) result.ttftMs = at - meta.startedAt;
    texts.push(text);
  };

  const handleLine = (raw: string, at: number) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const format = detection!.format as Exclude<StreamFormat, 'text'>;
    let unit: string;
    if (FRAMING[format] === 'sse') {
      if (sseNonData(line)) return;
      if (!line.startsWith('data:')) {
        result.lines++;
        result.unparsedLines++;
        return;
      }
      unit = line.slice(5).trim();
    } else {
      if (line.trim() === '') return;
      unit = line;
    }
    result.lines++;
    const part = PARSE[format](unit);
    if (!part) {
      result.unparsedLines++;
      return;
    }
    if (part.text !== undefined) addText(part.text, at);
    if (part.error !== undefined) result.errorParts.push(part.error);
    if (part.finish) {
      result.finishPresent = true;
      result.finishReason = part.finish.reason;
    }
  };

  /** Feeds decoded text in the decided format; `end` flushes an unterminated last line. */
  const feed = (text: string, at: number, end: boolean) => {
    if (detection!.format === 'text') {
      addText(text, at);
      return;
    }
    const lines = (tail + text).split('\n');
    tail = end ? '' : (lines.pop() ?? '');
    for (const line of lines) handleLine(line, at);
  };

  /** Looks for the deciding line in what is held; once found, replays everything held. */
  const decide = (end: boolean) => {
    // A line is needed to decide; past 64 KB without one, what is held is judged as it stands.
    const bounded = held.length > 65_536;
    if (!end && !bounded && !held.includes('\n')) return;
    const lines = held.split('\n');
    if (bounded && lines.length === 1) lines.push('');
    const complete = end ? lines : lines.slice(0, -1);
    for (const line of complete) {
      detection = formatFromFirstLine(line.endsWith('\r') ? line.slice(0, -1) : line, pending);
      if (detection) break;
    }
    if (!detection && end && held !== '') detection = { format: pending === 'sse' ? 'gemini-sse' : 'text', source: 'first-line' };
    if (!detection) return;
    const replay = held;
    held = '';
    feed(replay, firstDataAt ?? performance.now(), end);
  };

  const take = (text: string, end: boolean) => {
    const now = performance.now();
    if (detection) return feed(text, now, end);
    if (firstDataAt === null && text !== '') firstDataAt = now;
    held += text;
    decide(end);
  };

  try {
    for await (const chunk of body) {
      const now = performance.now();
      if (last !== null) result.maxGapMs = Math.max(result.maxGapMs, now - last);
      last = now;
      result.bytes += chunk.length;
      take(decoder.decode(chunk, { stream: true }), false);
    }
    take(decoder.decode(), true);
  } catch (err) {
    result.failure = classifyThrown(err);
    result.failureMessage = `stream cut after ${result.bytes} bytes: ${describe(err)}`;
  }
  // What a cut stream left held is still what the user saw.
  if (!detection && held !== '') decide(true);
  else if (detection && tail !== '') feed('', performance.now(), true);
  // An empty text/plain body is an empty plain-text reply (the text helper's answer to a failed call).
  if (!detection && pending === 'plain' && !result.failure) detection = { format: 'text', source: 'content-type' };
  const decided = detection as Detection | null;
  result.text = texts.join('');
  result.totalMs = performance.now() - meta.startedAt;
  if (decided) {
    result.format = decided.format;
    result.formatSource = decided.source;
    const byFinish = ENDS_WITH_FINISH[decided.format] || result.finishPresent;
    result.completeness = byFinish ? 'finish-part' : 'transport-only';
    result.complete = !result.failure && result.unparsedLines === 0 && (result.finishPresent || !byFinish);
  }
  return result;
}

/** A configured format as the reader takes it: `auto` (or nothing) means detect from the response. */
export function forcedStreamFormat(value: StreamFormat | 'auto' | undefined): StreamFormat | undefined {
  return value === 'auto' ? undefined : value;
}

export interface ChatOptions {
  /** Read the reply in this format whatever the response says (config `streamFormat`, `--stream-format`). */
  format?: StreamFormat;
  /**
   * The request as the target describes it (a filled template: method, JSON body, headers such as a
   * bearer token). Default: POST `{ message }`.
   */
  request?: Pick<RequestOptions, 'method' | 'json' | 'headers'>;
}

/** POSTs a chat message and reads the streamed reply; never throws. */
export async function chat(
  client: HttpClient,
  path: string,
  message: string,
  jar: CookieJar | undefined,
  timeoutMs: number,
  opts: ChatOptions = {},
): Promise<ChatStreamResult> {
  const startedAt = performance.now();
  try {
    const request = { method: 'POST' as const, json: { message }, ...opts.request, jar, timeoutMs };
    return await client.stream(path, request, async (body, meta) => {
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
      return readChatStream(body, meta, opts.format);
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
