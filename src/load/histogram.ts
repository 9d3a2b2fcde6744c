import * as hdr from 'hdr-histogram-js';

/** Latency percentiles. Units: milliseconds. null when nothing was recorded. */
export interface LatencySummary {
  count: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
}

/** HDR histogram of latencies in ms (1 ms .. 1 h, 3 significant digits). */
export class LatencyHistogram {
  private readonly h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000, numberOfSignificantValueDigits: 3 });

  record(ms: number): void {
    this.h.recordValue(Math.min(3_600_000, Math.max(1, Math.round(ms))));
  }

  get count(): number {
    return this.h.totalCount;
  }

  summary(): LatencySummary {
    if (this.h.totalCount === 0) return { count: 0, p50Ms: null, p95Ms: null, p99Ms: null, maxMs: null };
    return {
      count: this.h.totalCount,
      p50Ms: this.h.getValueAtPercentile(50),
      p95Ms: this.h.getValueAtPercentile(95),
      p99Ms: this.h.getValueAtPercentile(99),
      maxMs: this.h.maxValue,
    };
  }
}
