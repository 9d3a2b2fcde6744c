/**
 * The stream formats a chat route may answer in, and how one unit of each (a line, an SSE `data:`
 * payload) turns into a part: text, an error, or the finish. Wire shapes: WIRE.md "What a Next.js
 * app streams to the browser" and "Gemini REST".
 */

export const STREAM_FORMATS = ['data-stream', 'ui-message-stream', 'text', 'gemini-sse', 'ndjson'] as const;
/**
 * - `data-stream`: AI SDK v4 `toDataStreamResponse()`, `TYPE:JSON` lines (`0:"text"`, `3:"error"`, `d:{finish}`)
 * - `ui-message-stream`: AI SDK v5/v6 `toUIMessageStreamResponse()`, SSE `data: {"type":…}`, then `data: [DONE]`
 * - `text`: `toTextStreamResponse()` and hand-written plain text: the reply's text only, no finish part
 * - `gemini-sse`: Gemini's own SSE passed through, `data: {"candidates":[…]}`, `finishReason` on the last
 * - `ndjson`: one JSON object per line (Gemini objects, AI SDK parts, or `{text|delta|content|response}`)
 */
export type StreamFormat = (typeof STREAM_FORMATS)[number];

/** How one unit of a stream is framed on the wire. */
export type Framing = 'lines' | 'sse' | 'raw';

export const FRAMING: Record<StreamFormat, Framing> = {
  'data-stream': 'lines',
  'ui-message-stream': 'sse',
  text: 'raw',
  'gemini-sse': 'sse',
  ndjson: 'lines',
};

/**
 * Whether a whole reply always ends with a finish part in this format. Where it does not (plain
 * text; NDJSON unless the app sends one), a cut reply and a whole one look alike on the wire: only
 * the reply's own check (the long-reply header) can tell them apart.
 */
export const ENDS_WITH_FINISH: Record<StreamFormat, boolean> = {
  'data-stream': true,
  'ui-message-stream': true,
  text: false,
  'gemini-sse': true,
  ndjson: false,
};

/** What one unit said. `{}`: a valid unit that carries none of these (start, step, usage, [DONE]). */
export interface Part {
  text?: string;
  error?: string;
  finish?: { reason: string | null };
}

function json(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const errorText = (v: unknown): string =>
  typeof v === 'string' ? v : isObject(v) && typeof v.message === 'string' ? v.message : JSON.stringify(v);

/** AI SDK v4 data-stream line `TYPE:JSON`; null when the line is not one. */
export function dataStreamPart(line: string): Part | null {
  const m = /^([0-9a-z]):(.*)$/s.exec(line);
  if (!m) return null;
  const value = json(m[2] as string);
  if (value === undefined) return null;
  const type = m[1];
  if (type === '0') return typeof value === 'string' ? { text: value } : null;
  if (type === '3') return { error: errorText(value) };
  if (type === 'd') {
    const reason = isObject(value) ? value.finishReason : undefined;
    return { finish: { reason: typeof reason === 'string' ? reason : null } };
  }
  return {};
}

/** One AI SDK UI-message part (an SSE payload, or an NDJSON object with a `type`). */
function uiPart(value: Record<string, unknown>): Part | null {
  switch (value.type) {
    case 'text-delta': {
      const delta = value.delta ?? value.textDelta;
      return typeof delta === 'string' ? { text: delta } : null;
    }
    case 'error':
      return { error: String(value.errorText ?? value.error ?? 'error') };
    case 'abort':
      return { error: 'the stream was aborted' };
    case 'finish': {
      const meta = isObject(value.messageMetadata) ? value.messageMetadata : {};
      const reason = value.finishReason ?? meta.finishReason;
      return { finish: { reason: typeof reason === 'string' ? reason : 'stop' } };
    }
    default:
      return {};
  }
}

export function uiMessagePart(payload: string): Part | null {
  if (payload === '[DONE]') return {};
  const value = json(payload);
  return isObject(value) ? uiPart(value) : null;
}

/** One GenerateContentResponse (or Google error object); thought parts are not reply text. */
function geminiPart(value: Record<string, unknown>): Part | null {
  if (isObject(value.error)) return { error: errorText(value.error) };
  const feedback = isObject(value.promptFeedback) ? value.promptFeedback : {};
  if (typeof feedback.blockReason === 'string') return { error: `prompt blocked: ${feedback.blockReason}` };
  if (!Array.isArray(value.candidates)) return null;
  const candidate = isObject(value.candidates[0]) ? value.candidates[0] : {};
  const content = isObject(candidate.content) ? candidate.content : {};
  const parts = Array.isArray(content.parts) ? content.parts : [];
  const text = parts
    .filter((p): p is Record<string, unknown> => isObject(p) && typeof p.text === 'string' && p.thought !== true)
    .map((p) => p.text as string)
    .join('');
  const part: Part = {};
  if (text) part.text = text;
  if (typeof candidate.finishReason === 'string') part.finish = { reason: candidate.finishReason };
  return part;
}

export function geminiSsePart(payload: string): Part | null {
  const value = json(payload);
  return isObject(value) ? geminiPart(value) : null;
}

const TEXT_FIELDS = ['text', 'delta', 'content', 'token', 'response'] as const;

/** One NDJSON object: a Gemini response, an AI SDK part, or a plain `{text|delta|content|token|response}` chunk. */
export function ndjsonPart(line: string): Part | null {
  const value = json(line);
  if (!isObject(value)) return null;
  if (Array.isArray(value.candidates) || isObject(value.error)) return geminiPart(value);
  if (typeof value.type === 'string') return uiPart(value);
  const part: Part = {};
  const field = TEXT_FIELDS.find((f) => typeof value[f] === 'string');
  if (field) part.text = value[field] as string;
  if (value.error !== undefined && value.error !== null && value.error !== false) part.error = errorText(value.error);
  const reason = value.finishReason ?? value.finish_reason;
  if (typeof reason === 'string') part.finish = { reason };
  else if (value.done === true) part.finish = { reason: null };
  return part;
}

/** The parser of one framed unit, per format (text has no units: every byte is reply text). */
export const PARSE: Record<Exclude<StreamFormat, 'text'>, (unit: string) => Part | null> = {
  'data-stream': dataStreamPart,
  'ui-message-stream': uiMessagePart,
  'gemini-sse': geminiSsePart,
  ndjson: ndjsonPart,
};
