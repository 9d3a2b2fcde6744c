/**
 * What a lab's mock Gemini has seen, read from the lab daemon's stats endpoint, so a scenario can
 * report what is otherwise invisible from outside the app (the 429s Gemini really sent, the replies
 * it cut) and know which faults are switched on. Remote targets have no such endpoint.
 */
import type { MockGeminiStats } from './mock-gemini.ts';

const TIMEOUT_MS = 2_000;

/** The mock's counters from `GET <statsUrl>` ({ gemini, … }), or null when they cannot be read. */
export async function readMockGeminiStats(statsUrl: string | undefined): Promise<MockGeminiStats | null> {
  if (!statsUrl) return null;
  try {
    const res = await fetch(statsUrl, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    if (!res.ok) return null;
    const body = (await res.json()) as { gemini?: MockGeminiStats };
    return body.gemini && typeof body.gemini.requests === 'number' ? body.gemini : null;
  } catch {
    return null;
  }
}

/** Counter growth between two readings; null when either is missing. */
export function statsDelta(before: MockGeminiStats | null, after: MockGeminiStats | null): { rejected429: number; overloaded503: number; midStreamErrors: number } | null {
  if (!before || !after) return null;
  // Counters only grow unless someone reset them between the readings: then the later value is all we know.
  const grew = (k: 'rejected429' | 'overloaded503' | 'midStreamErrors') => {
    const a = after[k] ?? 0;
    const b = before[k] ?? 0;
    return a >= b ? a - b : a;
  };
  return { rejected429: grew('rejected429'), overloaded503: grew('overloaded503'), midStreamErrors: grew('midStreamErrors') };
}
