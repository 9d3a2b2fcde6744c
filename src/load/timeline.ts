import type { TimePoint } from '../report/types.ts';

interface Bucket {
  ok: number;
  errors: number;
  latencySum: number;
  n: number;
}

/** Per-second buckets of ok / errors / mean latency, for the report's charts. */
export class Timeline {
  /** Indexed by whole seconds since the start: a load loop records into it once per request. */
  private readonly buckets: Array<Bucket | undefined> = [];
  constructor(private readonly startedAt = performance.now()) {}

  record(ok: boolean, latencyMs: number, at = performance.now()): void {
    const second = Math.max(0, Math.floor((at - this.startedAt) / 1000));
    let b = this.buckets[second];
    if (b === undefined) {
      b = { ok: 0, errors: 0, latencySum: 0, n: 0 };
      this.buckets[second] = b;
    }
    if (ok) b.ok++;
    else b.errors++;
    b.latencySum += latencyMs;
    b.n++;
  }

  points(): TimePoint[] {
    const points: TimePoint[] = [];
    this.buckets.forEach((b, s) => {
      if (b) points.push({ t: s * 1000, ok: b.ok, errors: b.errors, latencyMs: Math.round(b.latencySum / b.n) });
    });
    return points;
  }
}
