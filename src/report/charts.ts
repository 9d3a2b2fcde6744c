/**
 * Inline SVG charts, drawn on the server so report.html needs no script and no network.
 * Each data mark carries data-* attributes (and a <title> tooltip) so tests and readers can check
 * what was drawn.
 */
import type { TimePoint } from './types.ts';

export const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const W = 520;
const H = 200;
const M = { top: 14, right: 14, bottom: 30, left: 56 };
const plotW = W - M.left - M.right;
const plotH = H - M.top - M.bottom;

/** 1, 2, 5 × 10^n: an axis maximum a reader can read. */
export function niceMax(value: number): number {
  if (value <= 0) return 1;
  const exp = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (value <= step * exp) return step * exp;
  return 10 * exp;
}

const fmt = (v: number) => (v >= 1000 ? `${Math.round(v / 100) / 10}k` : String(Math.round(v * 10) / 10));

interface Bucket { t0: number; t1: number; latencies: number[]; ok: number; errors: number }

/** Requests or pre-aggregated points alike: grouped into at most `max` equal time slices. */
export function bucketize(timeline: TimePoint[], max = 40): Bucket[] {
  if (timeline.length === 0) return [];
  const end = Math.max(...timeline.map((p) => p.t), 1);
  const n = Math.max(1, Math.min(max, timeline.length));
  const width = end / n;
  const buckets: Bucket[] = Array.from({ length: n }, (_, i) => ({ t0: i * width, t1: (i + 1) * width, latencies: [], ok: 0, errors: 0 }));
  for (const p of timeline) {
    const b = buckets[Math.min(n - 1, Math.floor(p.t / width))]!;
    if (typeof p.latencyMs === 'number') b.latencies.push(p.latencyMs);
    b.ok += p.ok ?? 0;
    b.errors += p.errors ?? 0;
  }
  return buckets;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function frame(yMax: number, tEnd: number, yLabel: string): string {
  const parts: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const y = M.top + plotH - (plotH * i) / 4;
    parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${y}" y2="${y}" class="grid"/>`);
    parts.push(`<text x="${M.left - 6}" y="${y + 4}" class="tick" text-anchor="end">${fmt((yMax * i) / 4)}</text>`);
  }
  for (let i = 0; i <= 4; i++) {
    const x = M.left + (plotW * i) / 4;
    parts.push(`<text x="${x}" y="${H - 10}" class="tick" text-anchor="middle">${fmt((tEnd * i) / 4 / 1000)} s</text>`);
  }
  parts.push(`<text x="12" y="${M.top + plotH / 2}" class="axis-label" transform="rotate(-90 12 ${M.top + plotH / 2})" text-anchor="middle">${esc(yLabel)}</text>`);
  return parts.join('');
}

function svg(kind: string, label: string, body: string, legend: string): string {
  return `<figure class="chart"><figcaption>${esc(label)}${legend}</figcaption><svg class="chart-svg" data-chart="${kind}" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${esc(label)}">${body}</svg></figure>`;
}

export function latencyChart(timeline: TimePoint[]): string {
  const buckets = bucketize(timeline).filter((b) => b.latencies.length > 0);
  if (buckets.length === 0) return '';
  const stats = buckets.map((b) => {
    const sorted = [...b.latencies].sort((x, y) => x - y);
    return { t: (b.t0 + b.t1) / 2, p50: percentile(sorted, 50), p95: percentile(sorted, 95), n: sorted.length };
  });
  const tEnd = Math.max(...timeline.map((p) => p.t), 1);
  const yMax = niceMax(Math.max(...stats.map((s) => s.p95)));
  const x = (t: number) => M.left + (t / tEnd) * plotW;
  const y = (v: number) => M.top + plotH - (v / yMax) * plotH;
  const line = (key: 'p50' | 'p95') => stats.map((s, i) => `${i === 0 ? 'M' : 'L'}${x(s.t).toFixed(1)},${y(s[key]).toFixed(1)}`).join(' ');
  const area = `${line('p95')} L${x(stats.at(-1)!.t).toFixed(1)},${y(0)} L${x(stats[0]!.t).toFixed(1)},${y(0)} Z`;
  const points = stats.map((s) =>
    `<circle class="point" cx="${x(s.t).toFixed(1)}" cy="${y(s.p95).toFixed(1)}" r="2.6" data-t="${Math.round(s.t)}" data-p50-ms="${Math.round(s.p50)}" data-p95-ms="${Math.round(s.p95)}"><title>${fmt(s.t / 1000)} s: p50 ${Math.round(s.p50)} ms, p95 ${Math.round(s.p95)} ms (${s.n} requests)</title></circle>`).join('');
  const body = frame(yMax, tEnd, 'latency (ms)') +
    `<path d="${area}" class="area-p95"/><path d="${line('p95')}" class="line-p95" data-series="p95"/><path d="${line('p50')}" class="line-p50" data-series="p50"/>${points}`;
  return svg('latency', 'Latency over time', body, '<span class="legend"><i class="sw sw-p95"></i>p95 <i class="sw sw-p50"></i>p50</span>');
}

export function errorsChart(timeline: TimePoint[]): string {
  const buckets = bucketize(timeline);
  if (!timeline.some((p) => typeof p.ok === 'number' || typeof p.errors === 'number')) return '';
  const tEnd = Math.max(...timeline.map((p) => p.t), 1);
  const peak = Math.max(...buckets.map((b) => b.ok + b.errors), 1);
  // Counts: an axis in quarters that are whole numbers.
  const yMax = peak <= 20 ? Math.ceil(peak / 4) * 4 : niceMax(peak);
  const bw = plotW / buckets.length;
  const h = (v: number) => (v / yMax) * plotH;
  const bars = buckets.map((b, i) => {
    const x = (M.left + i * bw + bw * 0.12).toFixed(1);
    const w = (bw * 0.76).toFixed(1);
    const base = M.top + plotH;
    const tip = `${fmt(b.t0 / 1000)}–${fmt(b.t1 / 1000)} s: ${b.ok} ok, ${b.errors} errors`;
    return `<rect class="bar-ok" x="${x}" y="${(base - h(b.ok)).toFixed(1)}" width="${w}" height="${h(b.ok).toFixed(1)}" data-t="${Math.round(b.t0)}" data-ok="${b.ok}"><title>${tip}</title></rect>` +
      `<rect class="bar-errors" x="${x}" y="${(base - h(b.ok) - h(b.errors)).toFixed(1)}" width="${w}" height="${h(b.errors).toFixed(1)}" data-t="${Math.round(b.t0)}" data-errors="${b.errors}"><title>${tip}</title></rect>`;
  }).join('');
  return svg('errors', 'Outcomes over time', frame(yMax, tEnd, 'requests') + bars, '<span class="legend"><i class="sw sw-ok"></i>ok <i class="sw sw-err"></i>errors</span>');
}

export interface BarPair { metric: string; label: string; before: number; after: number; better: 'lower' | 'higher' | 'none'; beforeText: string; afterText: string }

/** Before/after: one pair of horizontal bars per metric, each pair scaled to its own maximum. */
export function beforeAfterChart(pairs: BarPair[]): string {
  if (pairs.length === 0) return '';
  const rowH = 46;
  const labelW = 150;
  const valueW = 90;
  const barMax = W - labelW - valueW;
  const height = pairs.length * rowH + 8;
  const rows = pairs.map((p, i) => {
    const max = Math.max(Math.abs(p.before), Math.abs(p.after), 1e-9);
    const wb = (Math.abs(p.before) / max) * barMax;
    const wa = (Math.abs(p.after) / max) * barMax;
    const improved = p.better === 'none' || p.after === p.before ? 'same' : (p.better === 'lower') === p.after < p.before ? 'better' : 'worse';
    const y0 = 4 + i * rowH;
    return `<g class="pair" data-metric="${esc(p.metric)}">` +
      `<text x="0" y="${y0 + 24}" class="pair-label">${esc(p.label)}</text>` +
      `<rect class="bar-before" x="${labelW}" y="${y0 + 4}" width="${Math.max(wb, 1).toFixed(1)}" height="16" data-value="${p.before}"><title>before: ${esc(p.beforeText)}</title></rect>` +
      `<text x="${labelW + Math.max(wb, 1) + 6}" y="${y0 + 16}" class="bar-value">${esc(p.beforeText)}</text>` +
      `<rect class="bar-after bar-${improved}" x="${labelW}" y="${y0 + 22}" width="${Math.max(wa, 1).toFixed(1)}" height="16" data-value="${p.after}"><title>after: ${esc(p.afterText)}</title></rect>` +
      `<text x="${labelW + Math.max(wa, 1) + 6}" y="${y0 + 34}" class="bar-value">${esc(p.afterText)}</text></g>`;
  }).join('');
  return `<svg class="chart-svg before-after" data-chart="before-after" viewBox="0 0 ${W} ${height}" width="100%" role="img" aria-label="before and after">${rows}</svg>`;
}
