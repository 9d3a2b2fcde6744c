/**
 * An in-process stand-in for Gemini's streaming endpoint with a per-second quota, used by the
 * reference server. Over quota it fails the way Gemini does: a 429 with a retry delay.
 */
import { makeLongReply, parseLongMarker } from '../../src/lab/long-reply.ts';

export class UpstreamRateLimited extends Error {
  constructor(readonly retryDelayMs: number) {
    super('RESOURCE_EXHAUSTED');
  }
}

export interface Upstream {
  /** Raw SSE text chunks as Gemini sends them (`data: {json}\n\n`), cut at arbitrary points. */
  stream(prompt: string): AsyncGenerator<string>;
  readonly rejected: number;
}

const SHORT_REPLY = ['부산항 크루즈 터미널의 승선 수속은 ', '출항 3시간 전부', '터 시작합니다.'];

function event(text: string, finish: boolean): string {
  const candidate: Record<string, unknown> = { content: { parts: [{ text }], role: 'model' }, index: 0 };
  if (finish) candidate.finishReason = 'STOP';
  return `data: ${JSON.stringify({ candidates: [candidate] })}\n\n`;
}

export function createUpstream(requestsPerSecond: number): Upstream {
  const recent: number[] = [];
  let rejected = 0;
  return {
    get rejected() {
      return rejected;
    },
    async *stream(prompt: string) {
      const now = Date.now();
      while (recent.length && (recent[0] as number) <= now - 1000) recent.shift();
      if (recent.length >= requestsPerSecond) {
        rejected++;
        throw new UpstreamRateLimited(1000 - (now - (recent[0] as number)));
      }
      recent.push(now);
      const long = parseLongMarker(prompt);
      const parts = long ? splitEvery(makeLongReply(long), 16_384) : SHORT_REPLY;
      // Events are re-chunked at odd sizes, as a TCP stream would deliver them.
      let pending = '';
      for (let i = 0; i < parts.length; i++) {
        pending += event(parts[i] as string, i === parts.length - 1);
        while (pending.length > 7_001) {
          yield pending.slice(0, 7_001);
          pending = pending.slice(7_001);
        }
        if (!long) await new Promise((r) => setTimeout(r, 5));
      }
      if (pending) yield pending;
    },
  };
}

function splitEvery(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}
