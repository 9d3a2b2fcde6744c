import { describe, expect, it } from 'vitest';
import { Timeline } from '../src/load/timeline.ts';

describe('Timeline', () => {
  it('buckets by whole second since its start, in time order, skipping empty seconds, with the mean latency rounded', () => {
    const t = new Timeline(1000);
    t.record(true, 10, 3500); // second 2, recorded first
    t.record(true, 10, 1000);
    t.record(false, 21, 1999); // still second 0
    t.record(true, 30, 500); // before the start: second 0
    t.record(true, 4, 3999);
    expect(t.points()).toEqual([
      { t: 0, ok: 2, errors: 1, latencyMs: 20 },
      { t: 2000, ok: 2, errors: 0, latencyMs: 7 },
    ]);
  });

  it('has no points before anything is recorded', () => {
    expect(new Timeline().points()).toEqual([]);
  });
});
