/**
 * Long deterministic AI replies whose integrity a client can check end to end.
 *
 * Layout (ASCII, so chars = bytes):
 *   <<genie-long v1 chars=N sha256=HEX>>\n     header; N and HEX cover everything after it
 *   000001 filler…\n                           numbered body lines, all LINE_WIDTH chars wide
 *   000002 filler…\n                           (the last one may be cut short to hit N exactly)
 *
 * The body is a pure function of N, so a checker can regenerate it and point at the first line that
 * differs: that is where data went missing (a dropped middle, a cut tail, a lost head).
 */
import { createHash } from 'node:crypto';

/** Every body line is this many chars, newline included, so line k starts at (k - 1) * LINE_WIDTH. */
export const LINE_WIDTH = 80;
const MIN_NUMBER_DIGITS = 6;
const MARKER_RE = /\[\[genie:long:(\d+)\]\]/;
const HEADER_RE = /^<<genie-long v1 chars=(\d+) sha256=([0-9a-f]{64})>>\n/;
// Cruise-guide flavoured filler so the reply looks like text, not padding; printable ASCII only.
const FILLER =
  'Embarkation opens at noon; keep your passport and boarding pass at hand. The buffet on deck 11 ' +
  'serves breakfast until ten, the tender to shore leaves from deck 2 every half hour, and the last ' +
  'call to board is thirty minutes before departure. Currency on board is the US dollar. ';

/** The marker a prompt carries to ask the mock for a long reply of `bytes` chars in total. */
export function longMarker(bytes: number): string {
  return `[[genie:long:${bytes}]]`;
}

/** The size asked for by a marker in `prompt`, or null when there is none. */
export function parseLongMarker(prompt: string): number | null {
  const m = MARKER_RE.exec(prompt);
  return m ? Number(m[1]) : null;
}

function headerFor(bodyChars: number, sha: string, digits: number): string {
  return `<<genie-long v1 chars=${String(bodyChars).padStart(digits, '0')} sha256=${sha}>>\n`;
}

const HEADER_FIXED = headerFor(0, '0'.repeat(64), 1).length - 1;

/** The smallest reply that still has its header and one char of body. */
export const MIN_LONG_REPLY = HEADER_FIXED + 2;

/**
 * Body chars N and the width of N in the header such that header + N = total. The header's length
 * depends on N's digit count; at a power of ten no exact width fits, so N gets one leading zero.
 */
function layoutFor(total: number): { bodyChars: number; digits: number } {
  for (let digits = 1; digits <= 17; digits++) {
    const bodyChars = total - HEADER_FIXED - digits;
    if (bodyChars >= 1 && String(bodyChars).length <= digits) return { bodyChars, digits };
  }
  throw new RangeError(`cannot lay out a long reply of ${total} chars`);
}

function numberDigits(bodyChars: number): number {
  return Math.max(MIN_NUMBER_DIGITS, String(Math.ceil(bodyChars / LINE_WIDTH)).length);
}

function bodyLine(line: number, digits: number): string {
  const fillLen = LINE_WIDTH - digits - 2;
  const start = (line * 7) % FILLER.length;
  let fill = FILLER.slice(start, start + fillLen);
  while (fill.length < fillLen) fill += FILLER.slice(0, fillLen - fill.length);
  return `${String(line).padStart(digits, '0')} ${fill}\n`;
}

/** The body for N chars: numbered lines, the last one cut to length. */
function makeBody(bodyChars: number): string {
  const digits = numberDigits(bodyChars);
  const lines = Math.ceil(bodyChars / LINE_WIDTH);
  const parts: string[] = new Array(lines);
  for (let i = 0; i < lines; i++) parts[i] = bodyLine(i + 1, digits);
  return parts.join('').slice(0, bodyChars);
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'latin1').digest('hex');
}

/** A reply of exactly `bytes` ASCII chars (header included). Throws RangeError below MIN_LONG_REPLY. */
export function makeLongReply(bytes: number): string {
  if (!Number.isSafeInteger(bytes) || bytes < MIN_LONG_REPLY) {
    throw new RangeError(`a long reply needs an integer size of at least ${MIN_LONG_REPLY} chars, got ${bytes}`);
  }
  const { bodyChars, digits } = layoutFor(bytes);
  const body = makeBody(bodyChars);
  return headerFor(bodyChars, sha256(body), digits) + body;
}

export interface LongReplyCheck {
  ok: boolean;
  /** Total chars the header promises (header + body), or null when the header did not arrive. */
  expectedChars: number | null;
  /** Total chars received. */
  receivedChars: number;
  /** 1-based body line where the received text first departs from what was sent. */
  firstGapAtLine?: number;
  reason?: string;
}

/** Index of the first char where a and b differ, or -1 when equal. Compares in blocks: 2 MB stays fast. */
function firstDifference(a: string, b: string): number {
  const len = Math.min(a.length, b.length);
  const block = 4096;
  for (let i = 0; i < len; i += block) {
    if (a.slice(i, i + block) === b.slice(i, i + block)) continue;
    for (let j = i; j < Math.min(i + block, len); j++) if (a.charCodeAt(j) !== b.charCodeAt(j)) return j;
  }
  return a.length === b.length ? -1 : len;
}

/** Checks a received long reply: whole, in order, nothing added. */
export function checkLongReply(text: string): LongReplyCheck {
  const receivedChars = text.length;
  const header = HEADER_RE.exec(text);
  if (!header) {
    // Without a header the head of the reply is gone (or this is not a long reply at all).
    const firstLine = /^(\d{6,}) /m.exec(text);
    return {
      ok: false,
      expectedChars: null,
      receivedChars,
      firstGapAtLine: 1,
      reason: firstLine
        ? `header missing: the text starts at body line ${Number(firstLine[1])}`
        : 'header missing: not a genie long reply',
    };
  }
  const bodyChars = Number(header[1]);
  const expectedChars = header[0].length + bodyChars;
  const body = text.slice(header[0].length);
  const expected = makeBody(bodyChars);
  const diff = firstDifference(body, expected);
  if (diff === -1) {
    if (sha256(body) !== header[2]) {
      return { ok: false, expectedChars, receivedChars, reason: 'sha256 in the header does not match the body' };
    }
    return { ok: true, expectedChars, receivedChars };
  }
  const firstGapAtLine = Math.floor(diff / LINE_WIDTH) + 1;
  let reason: string;
  if (diff === body.length) reason = `truncated: ${bodyChars - body.length} chars missing at the end`;
  else if (diff === expected.length) reason = `${body.length - bodyChars} unexpected chars after the end`;
  else if (body.length < bodyChars) reason = `${bodyChars - body.length} chars missing, first gap in line ${firstGapAtLine}`;
  else reason = `content differs from line ${firstGapAtLine}`;
  return { ok: false, expectedChars, receivedChars, firstGapAtLine, reason };
}

/**
 * Whether `text` is (part of) a genie long reply: its header, or one of its numbered body lines.
 * Only mock-gemini writes these; a reply without either came from another model (real Gemini), or
 * the app replaced it (a fallback message), so its integrity cannot be checked.
 */
export function isLongReply(text: string): boolean {
  if (HEADER_RE.test(text)) return true;
  // A body line: a zero-padded number, a space, then the filler (a numbered list in prose does not match).
  const line = /^\d{6,} (.{24})/m.exec(text);
  return line !== null && (FILLER + FILLER).includes(line[1]!);
}

/**
 * How to make an app's long replies self-checking, for a skip reason: point its Gemini at the mock,
 * as `lab up` does (GEMINI_BASE_URL + GEMINI_API_KEY in each app instance's environment).
 */
export const POINT_APP_AT_MOCK =
  'run `genie-fix mock-gemini --port 8787` and start the app with its Gemini base URL there, as the lab does ' +
  '(GEMINI_BASE_URL=http://127.0.0.1:8787 and any GEMINI_API_KEY; @ai-sdk/google: createGoogleGenerativeAI({ baseURL: ' +
  "'http://127.0.0.1:8787/v1beta' }); @google/genai: httpOptions: { baseUrl: 'http://127.0.0.1:8787' })";
