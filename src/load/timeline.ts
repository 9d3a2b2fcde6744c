import type { TimePoint } from '../report/types.ts';

/** Per-second buckets of ok / errors / mean latency, for the report's charts. */
export class Timeline {
  private readonly buckets = new Map<number, { ok: number; errors: number; latencySum: number; n: number }>();
  constructor(private readonly startedAt = performance.now()) {}

  record(ok: boolean, latencyMs: number, at = performance.now()): void {
    const second = Math.max(0, Math.floor((at - this.startedAt) / 1000));
    const b = this.buckets.get(second) ?? { ok: 0, errors: 0, latencySum: 0, n: 0 };
    if (ok) b.ok++;
    else b.errors++;
    b.latencySum += latencyMs;
    b.n++;
    this.buckets.set(second, b);
  }

  points(): TimePoint[] {
    return [...this.buckets.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([s, b]) => ({ t: s * 1000, ok: b.ok, errors: b.errors, latencyMs: Math.round(b.latencySum / b.n) }));
  }
}
