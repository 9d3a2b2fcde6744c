/**
 * The ways the real Gemini API is harder on a client than a polite stand-in, as switchable faults
 * (WIRE.md "What real apps send and receive"): 503 "model overloaded" answers, an error after some
 * chunks of a 200 stream, replies cut by MAX_TOKENS, and error answers to streaming requests whose
 * content type is not JSON. Rates are spread evenly and deterministically (no randomness), so a run
 * of N requests at rate r meets exactly floor(N × r) faults and tests can count them.
 */
import { CHARS_PER_TOKEN, googleError } from './mock-gemini-wire.ts';

export interface MockGeminiFaults {
  /** Fraction (0–1) of generate requests answered 503 UNAVAILABLE "The model is overloaded". Default 0. */
  overloadedRate?: number;
  /** Fraction (0–1) of streamed replies that send some chunks, then an error event, then end. Default 0. */
  midStreamErrorRate?: number;
  /** Chunks sent before a mid-stream error (the first is MID_STREAM_ERROR_TAG), at least 1. Default 2. */
  midStreamErrorAfterChunks?: number;
  /** Cap on reply length in tokens (4 chars each); a longer reply stops there with finishReason MAX_TOKENS. Default: none. */
  maxOutputTokens?: number;
  /**
   * Error answers (429, 503) to streaming requests carry `text/event-stream` instead of JSON, as the
   * real service reportedly does: clients that trust the content type then see the body only as text.
   */
  nonJsonStreamErrors?: boolean;
}

/**
 * Opens every reply the mock is about to cut mid-stream, so a client reading what the app streamed
 * on can tell "Gemini failed mid-reply" from any other short answer. Only the mock sends it.
 */
export const MID_STREAM_ERROR_TAG = '<<genie-midstream-error v1>> ';

/** True when `text` (what an app streamed on) came from a reply the mock cut with a mid-stream error. */
export function isMidStreamErrorReply(text: string): boolean {
  return text.includes(MID_STREAM_ERROR_TAG.trim());
}

/** Exactly floor(n × rate) of the first n calls answer true, spread evenly (rate 0.25: every 4th). */
export class EvenSchedule {
  private calls = 0;
  constructor(readonly rate: number) {
    if (!(rate >= 0 && rate <= 1)) throw new RangeError(`a fault rate must be from 0 to 1, got ${rate}`);
  }

  next(): boolean {
    if (this.rate === 0) return false;
    this.calls++;
    return Math.floor(this.calls * this.rate) > Math.floor((this.calls - 1) * this.rate);
  }

  reset(): void {
    this.calls = 0;
  }
}

export function overloadedBody(): object {
  return googleError(503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.');
}

/** What Google sends inside a 200 stream when generation fails part-way. */
export function midStreamErrorBody(): object {
  return googleError(500, 'INTERNAL', 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting');
}

/** Content type of an error answer: JSON, unless the request streams and the fault says otherwise. */
export function errorContentType(streaming: boolean, faults: MockGeminiFaults): string {
  return streaming && faults.nonJsonStreamErrors ? 'text/event-stream' : 'application/json; charset=UTF-8';
}

/** The chars a reply may have under the server cap and the request's own generationConfig.maxOutputTokens. */
export function charLimit(serverCapTokens: number | undefined, requestTokens: number | undefined): number | null {
  const caps = [serverCapTokens, requestTokens].filter((t): t is number => typeof t === 'number' && Number.isSafeInteger(t) && t > 0);
  return caps.length ? Math.min(...caps) * CHARS_PER_TOKEN : null;
}

/** Validates fault options, naming the bad one; returns them with defaults filled. */
export function configureFaults(f: MockGeminiFaults): Required<Omit<MockGeminiFaults, 'maxOutputTokens'>> & Pick<MockGeminiFaults, 'maxOutputTokens'> {
  const rate = (name: string, v: number | undefined) => {
    const value = v ?? 0;
    if (!(value >= 0 && value <= 1)) throw new RangeError(`${name} must be a fraction from 0 to 1, got ${v}`);
    return value;
  };
  const after = f.midStreamErrorAfterChunks ?? 2;
  // At least the tagged first chunk must go out, or a client could not tell this fault from a 503.
  if (!Number.isSafeInteger(after) || after < 1) throw new RangeError(`midStreamErrorAfterChunks must be a whole number ≥ 1, got ${after}`);
  if (f.maxOutputTokens !== undefined && (!Number.isSafeInteger(f.maxOutputTokens) || f.maxOutputTokens < 1)) {
    throw new RangeError(`maxOutputTokens must be a whole number ≥ 1, got ${f.maxOutputTokens}`);
  }
  return {
    overloadedRate: rate('overloadedRate', f.overloadedRate),
    midStreamErrorRate: rate('midStreamErrorRate', f.midStreamErrorRate),
    midStreamErrorAfterChunks: after,
    maxOutputTokens: f.maxOutputTokens,
    nonJsonStreamErrors: f.nonJsonStreamErrors ?? false,
  };
}
