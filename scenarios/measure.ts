/** Small helpers for turning measurements into metrics and evidence. Scenarios never judge: see src/report/presets. */
import type { MetricValue } from '../src/report/types.ts';

/** `metrics[key]` as a number, 0 when absent. */
export function n(metrics: Record<string, MetricValue>, key: string): number {
  const v = metrics[key];
  return typeof v === 'number' ? v : 0;
}

/** `part` as a percentage of `whole`, two decimals; 0 of nothing is 0 %. */
export function pct(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 100;
}

/** A response body cut for evidence (never more than 300 chars). */
export function cut(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** Waits `ms`, or less when the run is aborted (Ctrl-C): a scenario's waits never hold up stopping. */
export function waitUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
  });
}
