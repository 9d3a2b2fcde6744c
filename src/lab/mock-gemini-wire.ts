/**
 * What the mock says on the wire: Gemini response objects, Google error bodies, and the
 * deterministic reply text for a prompt. Shapes follow /work/shared/WIRE.md "Gemini REST".
 */
import { createHash } from 'node:crypto';
import type { QuotaKind } from './mock-gemini-quota.ts';

export interface GenerateRequest {
  prompt: string;
  /** generationConfig.maxOutputTokens when the request sets a positive whole number. */
  maxOutputTokens?: number;
}

/** The prompt of a generateContent body: the text parts of the last user turn. Throws on a bad shape. */
export function parseGenerateRequest(raw: string): GenerateRequest {
  const body: unknown = JSON.parse(raw);
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new TypeError('request body must be a JSON object');
  const contents = (body as { contents?: unknown }).contents;
  if (!Array.isArray(contents) || contents.length === 0) {
    throw new TypeError('* GenerateContentRequest.contents: contents is not specified');
  }
  const turns = contents.filter((c): c is { role?: unknown; parts?: unknown } => !!c && typeof c === 'object');
  const last = [...turns].reverse().find((c) => c.role === undefined || c.role === 'user') ?? turns.at(-1);
  if (!last || !Array.isArray(last.parts)) throw new TypeError('* GenerateContentRequest.contents[].parts: parts is not specified');
  const prompt = last.parts
    .map((p: unknown) => (p && typeof p === 'object' && typeof (p as { text?: unknown }).text === 'string' ? (p as { text: string }).text : ''))
    .join('');
  const max = (body as { generationConfig?: { maxOutputTokens?: unknown } }).generationConfig?.maxOutputTokens;
  return typeof max === 'number' && Number.isSafeInteger(max) && max > 0 ? { prompt, maxOutputTokens: max } : { prompt };
}

export function promptHash(prompt: string): string {
  return createHash('sha256').update(prompt, 'utf8').digest('hex').slice(0, 8);
}

const TIPS = [
  'Shore excursions booked through the ship wait for you if the tour runs late; independent ones do not.',
  'Keep a copy of your passport photo page on your phone; the original often stays with the purser.',
  'The all-aboard time is usually thirty minutes before departure, and the ship leaves on time.',
  'Ship Wi-Fi is shared by everyone on board, so download maps and tickets while in port.',
  'Tender ports need a tender ticket from the theatre; early tickets go fast on sea-day evenings.',
  'Most ports accept cards, but small vendors and taxis often want local cash in small notes.',
  'Sea-sickness is milder mid-ship on a low deck; green apples and fresh air help too.',
  'Room service breakfast is free on many lines if you hang the card on your door before 2 a.m.',
];

/** A short cruise-guide answer that depends only on the prompt, quoting its hash so a client can tell replies apart. */
export function replyFor(prompt: string): string {
  const hash = promptHash(prompt);
  const seed = parseInt(hash, 16);
  const topic = prompt.replace(/\s+/g, ' ').trim().slice(0, 60) || 'your trip';
  const tips = [TIPS[seed % TIPS.length], TIPS[(seed >>> 8) % TIPS.length], TIPS[(seed >>> 16) % TIPS.length]];
  const unique = [...new Set(tips)];
  return (
    `Cruise Guide Genie here (ref ${hash}). About "${topic}": ` +
    unique.join(' ') +
    ' Ask me about the next port, the daily programme or your checklist any time.'
  );
}

/** Splits text into deltas of about `size` chars, preferring to cut after a space. */
export function chunkText(text: string, size: number): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    let end = Math.min(text.length, i + size);
    if (end < text.length && size > 8) {
      const space = text.lastIndexOf(' ', end);
      if (space > i + size / 2) end = space + 1;
    }
    out.push(text.slice(i, end));
    i = end;
  }
  return out;
}

/** Chars per token when the mock counts tokens (usageMetadata, MAX_TOKENS); Google's rule of thumb for English. */
export const CHARS_PER_TOKEN = 4;
const tokens = (chars: number): number => Math.ceil(chars / CHARS_PER_TOKEN);

export interface ResponseParts {
  text: string;
  model: string;
  responseId: string;
  promptChars: number;
  /** Reply chars sent so far, this event included, for usageMetadata. */
  sentChars: number;
  final: boolean;
  /** finishReason of the final event. Default STOP. */
  finishReason?: 'STOP' | 'MAX_TOKENS';
}

/** One GenerateContentResponse: a delta when streaming, the whole text otherwise. */
export function responseObject(p: ResponseParts): object {
  const candidate: Record<string, unknown> = { content: { parts: [{ text: p.text }], role: 'model' } };
  if (p.final) candidate.finishReason = p.finishReason ?? 'STOP';
  candidate.index = 0;
  const promptTokenCount = tokens(p.promptChars);
  const candidatesTokenCount = tokens(p.sentChars);
  return {
    candidates: [candidate],
    usageMetadata: { promptTokenCount, candidatesTokenCount, totalTokenCount: promptTokenCount + candidatesTokenCount },
    modelVersion: p.model,
    responseId: p.responseId,
  };
}

/** A protobuf Duration as JSON renders it: "1s", "1.5s", "39s". */
export function formatDuration(seconds: number): string {
  return `${Number(seconds.toFixed(3))}s`;
}

export function googleError(code: number, status: string, message: string, details?: object[]): object {
  return { error: details ? { code, message, status, details } : { code, message, status } };
}

const QUOTA_IDS: Record<QuotaKind, string> = {
  day: 'GenerateRequestsPerDayPerProjectPerModel-FreeTier',
  window: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier',
  // Google publishes no concurrency quota id; its 429s name the per-minute one, so the mock does too.
  concurrency: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier',
};

/** Google's 429 RESOURCE_EXHAUSTED body for a generate request over quota. */
export function quotaExceededBody(kind: QuotaKind, limit: number, model: string, waitSec: number, retryDelaySec: number): object {
  const retryIn = Math.ceil(Math.max(waitSec, 0.01) * 100) / 100;
  const message =
    'You exceeded your current quota, please check your plan and billing details. For more information on this error, ' +
    'head to: https://ai.google.dev/gemini-api/docs/rate-limits. To monitor your current usage, head to: ' +
    `https://ai.dev/usage?tab=rate-limit. \n* Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_free_tier_requests, ` +
    `limit: ${limit}, model: ${model}\nPlease retry in ${retryIn}s.`;
  return googleError(429, 'RESOURCE_EXHAUSTED', message, [
    {
      '@type': 'type.googleapis.com/google.rpc.Help',
      links: [{ description: 'Learn more about Gemini API quotas', url: 'https://ai.google.dev/gemini-api/docs/rate-limits' }],
    },
    {
      '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
      violations: [
        {
          quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests',
          quotaId: QUOTA_IDS[kind],
          quotaDimensions: { location: 'global', model },
        },
      ],
    },
    { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: formatDuration(retryDelaySec) },
  ]);
}

export function invalidKeyBody(): object {
  return googleError(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [
    {
      '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
      reason: 'API_KEY_INVALID',
      domain: 'googleapis.com',
      metadata: { service: 'generativelanguage.googleapis.com' },
    },
  ]);
}

export function missingKeyBody(): object {
  return googleError(
    403,
    'PERMISSION_DENIED',
    "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
  );
}
