/**
 * Which format a chat response streams in: from its headers when they say (the AI SDK's own
 * `x-vercel-ai-*` headers, an NDJSON content type), otherwise from its first meaningful line.
 * A forced format (config `streamFormat`, `--stream-format`) wins over both.
 */
import { dataStreamPart, type StreamFormat } from './parts.ts';

/** Where the format came from, for evidence ("read as text: Content-Type text/plain, first line not a data-stream part"). */
export type FormatSource = 'forced' | 'header' | 'content-type' | 'first-line';

export interface Detection {
  format: StreamFormat;
  source: FormatSource;
}

/**
 * Still to be decided from the body: `sse` (an event stream; Gemini's objects or AI SDK parts),
 * `plain` (text/plain without the AI SDK header: a hand-made data stream or plain text), `any`.
 */
export type Pending = 'sse' | 'plain' | 'any';

type Headers = Record<string, string | string[] | undefined>;

const header = (headers: Headers, name: string): string => {
  const v = headers[name] ?? headers[name.toLowerCase()];
  return (Array.isArray(v) ? v[0] : v) ?? '';
};

export function formatFromHeaders(headers: Headers, contentType: string, forced?: StreamFormat): Detection | Pending {
  if (forced) return { format: forced, source: 'forced' };
  if (header(headers, 'x-vercel-ai-ui-message-stream')) return { format: 'ui-message-stream', source: 'header' };
  if (header(headers, 'x-vercel-ai-data-stream')) return { format: 'data-stream', source: 'header' };
  const type = contentType.toLowerCase();
  if (/application\/(x-)?(nd|jsonl|json-seq|jsonlines)|application\/jsonl/.test(type)) return { format: 'ndjson', source: 'content-type' };
  if (type.includes('text/event-stream')) return 'sse';
  if (type.includes('text/plain')) return 'plain';
  return 'any';
}

/** An SSE line that carries no payload: comment, blank, or a field other than data. */
export const sseNonData = (line: string) => line === '' || line.startsWith(':') || /^(event|id|retry):/.test(line);

/**
 * Decides from the first meaningful line (no line terminator), or returns null to wait for the
 * next one (blank lines; SSE comments and fields before the first `data:`).
 */
export function formatFromFirstLine(line: string, pending: Pending): Detection | null {
  const trimmed = line.trim();
  if (pending === 'sse' || (pending === 'any' && trimmed.startsWith('data:'))) {
    if (sseNonData(line)) return null;
    const payload = line.startsWith('data:') ? line.slice(5).trim() : '';
    // AI SDK parts carry a `type`; Gemini's objects carry candidates (or a Google error).
    const isUi = payload === '[DONE]' || /^\{\s*"type"\s*:/.test(payload) || /"type"\s*:\s*"(start|text-|finish|error)/.test(payload);
    return { format: isUi ? 'ui-message-stream' : 'gemini-sse', source: 'first-line' };
  }
  if (trimmed === '') return null;
  // A data-stream part's value is a string, array or object ("2:15" is text about a time, not a part).
  if (/^[0-9a-z]:["[{]/.test(trimmed) && dataStreamPart(trimmed) !== null) return { format: 'data-stream', source: 'first-line' };
  if (pending === 'any' && trimmed.startsWith('{')) {
    try {
      JSON.parse(trimmed);
      return { format: 'ndjson', source: 'first-line' };
    } catch {
      // not JSON: plain text that happens to start with a brace
    }
  }
  return { format: 'text', source: 'first-line' };
}
