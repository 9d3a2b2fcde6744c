/**
 * The memo's claimed results next to what the before/after reports measured. Each claim names
 * the metric that decides it and the rule; a claim whose scenario did not run (or has no number)
 * is "not measured", never guessed. Pure: reports in, rows out.
 */
import type { MetricValue, Report, ScenarioReport } from './types.ts';

export type ClaimStatus = 'confirmed' | 'refuted' | 'not measured';

export interface ClaimRow {
  claim: string;
  /** What was measured, in words ("DB transactions per chat request"). */
  measure: string;
  before: string;
  after: string;
  /** The measured change, e.g. "−62 %", or '' when not applicable. */
  change: string;
  status: ClaimStatus;
  /** Why the status, one sentence. */
  note: string;
}

type Metrics = Record<string, MetricValue>;

function metrics(report: Report, id: string): Metrics | undefined {
  const s: ScenarioReport | undefined = report.scenarios.find((x) => x.id === id);
  if (!s || s.verdict === 'skip' || s.verdict === 'error') return undefined;
  return s.metrics;
}

const num = (m: Metrics | undefined, k: string): number | null => (m && typeof m[k] === 'number' ? (m[k] as number) : null);

/** Relative change in percent, rounded; null when the base is 0 or missing. */
export function changePct(before: number | null, after: number | null): number | null {
  if (before === null || after === null || before === 0) return null;
  return Math.round(((after - before) / before) * 100);
}

const signed = (p: number | null) => (p === null ? '' : `${p > 0 ? '+' : p < 0 ? '−' : '±'}${Math.abs(p)} %`);
const show = (v: number | null, unit = '') => (v === null ? '–' : `${Math.round(v * 100) / 100}${unit}`);
const mb = (v: number | null) => (v === null ? '–' : `${Math.round(v / 1048576)} MB`);

interface ClaimSpec {
  claim: string;
  measure: string;
  row(before: Report, after: Report): Omit<ClaimRow, 'claim' | 'measure'>;
}

/** A "−X %" claim: confirmed when the measured drop is at least X. */
function reduction(id: string, metric: string, claimedPct: number, format: (v: number | null) => string): ClaimSpec['row'] {
  return (before, after) => {
    const b = num(metrics(before, id), metric);
    const a = num(metrics(after, id), metric);
    const p = changePct(b, a);
    if (p === null) {
      return { before: format(b), after: format(a), change: '', status: 'not measured', note: `${id} did not report ${metric} in both runs` };
    }
    const ok = -p >= claimedPct;
    return { before: format(b), after: format(a), change: signed(p), status: ok ? 'confirmed' : 'refuted', note: `measured ${signed(p)}, claimed −${claimedPct} %` };
  };
}

export const claimSpecs: ClaimSpec[] = [
  {
    claim: '100 concurrent users OK',
    measure: 'concurrent users served without error (pool-exhaustion)',
    row: (before, after) => {
      const b = metrics(before, 'pool-exhaustion');
      const a = metrics(after, 'pool-exhaustion');
      const served = (m: Metrics | undefined) => {
        const users = num(m, 'users');
        const rate = num(m, 'errorRatePct');
        return users === null || rate === null ? null : { users, rate };
      };
      const sb = served(b);
      const sa = served(a);
      const text = (s: ReturnType<typeof served>) => (s ? `${s.users} users, ${show(s.rate)} % errors` : '–');
      if (!sa) return { before: text(sb), after: text(sa), change: '', status: 'not measured', note: 'pool-exhaustion did not run after the fix' };
      const ok = sa.users >= 100 && sa.rate === 0;
      return {
        before: text(sb),
        after: text(sa),
        change: '',
        status: ok ? 'confirmed' : 'refuted',
        note: ok ? `${sa.users} concurrent users, no request failed` : sa.users < 100 ? `only ${sa.users} users were run` : `${show(sa.rate)} % of requests still failed`,
      };
    },
  },
  {
    claim: 'DB queries −90 %',
    measure: 'DB transactions per chat request (cache-effectiveness)',
    row: reduction('cache-effectiveness', 'xactPerChat', 90, (v) => show(v)),
  },
  {
    claim: 'responses +50 % faster',
    measure: 'chat p50 / p95 (gemini-429 time to first token, else cache-effectiveness total)',
    row: (before, after) => {
      const pick = (r: Report) => {
        const g = metrics(r, 'gemini-429');
        if (num(g, 'ttftP50Ms') !== null) return { p50: num(g, 'ttftP50Ms'), p95: num(g, 'ttftP95Ms'), src: 'gemini-429' };
        const c = metrics(r, 'cache-effectiveness');
        return { p50: num(c, 'chatP50Ms'), p95: num(c, 'chatP95Ms'), src: 'cache-effectiveness' };
      };
      const b = pick(before);
      const a = pick(after);
      const text = (x: typeof b) => (x.p50 === null ? '–' : `p50 ${show(x.p50, ' ms')}, p95 ${show(x.p95, ' ms')}`);
      if (b.src !== a.src || b.p50 === null || a.p50 === null) {
        return { before: text(b), after: text(a), change: '', status: 'not measured', note: 'no chat latency in both runs' };
      }
      const p50 = changePct(b.p50, a.p50);
      const p95 = changePct(b.p95, a.p95);
      // "50 % faster" read generously: the time taken dropped by a third or more (speed ×1.5).
      const ok = p50 !== null && p50 <= -33;
      return {
        before: text(b),
        after: text(a),
        change: `p50 ${signed(p50)}, p95 ${signed(p95)}`,
        status: ok ? 'confirmed' : 'refuted',
        note: `from ${b.src}; "+50 % faster" needs the time to drop by ≥ 33 %`,
      };
    },
  },
  {
    claim: 'upload memory −70 %',
    measure: 'app peak RSS growth during concurrent uploads (upload-memory)',
    row: reduction('upload-memory', 'rssGrowthBytes', 70, mb),
  },
  {
    claim: 'no AI failures',
    measure: 'user-visible AI failures (gemini-429)',
    row: (before, after) => {
      const b = num(metrics(before, 'gemini-429'), 'aiFailures');
      const a = num(metrics(after, 'gemini-429'), 'aiFailures');
      const chats = (r: Report) => num(metrics(r, 'gemini-429'), 'chats');
      const text = (v: number | null, c: number | null) => (v === null ? '–' : `${v} of ${c ?? '?'} chats`);
      if (a === null) return { before: text(b, chats(before)), after: '–', change: '', status: 'not measured', note: 'gemini-429 did not run after the fix' };
      return { before: text(b, chats(before)), after: text(a, chats(after)), change: '', status: a === 0 ? 'confirmed' : 'refuted', note: a === 0 ? 'every chat got an answer' : `${a} users still saw the AI fail` };
    },
  },
  {
    claim: 'no lost data',
    measure: 'acknowledged writes lost (lost-update) and truncated AI replies (buffer-truncation)',
    row: (before, after) => {
      const lost = (r: Report) => num(metrics(r, 'lost-update'), 'lost');
      const cut = (r: Report) => num(metrics(r, 'buffer-truncation'), 'truncated');
      const text = (r: Report) => `${lost(r) ?? '–'} lost writes, ${cut(r) ?? '–'} truncated replies`;
      const la = lost(after);
      const ta = cut(after);
      if (la === null && ta === null) return { before: text(before), after: text(after), change: '', status: 'not measured', note: 'lost-update and buffer-truncation did not run after the fix' };
      const ok = (la ?? 0) === 0 && (ta ?? 0) === 0;
      const partial = la === null || ta === null ? ' (only one of the two measured)' : '';
      return { before: text(before), after: text(after), change: '', status: ok ? 'confirmed' : 'refuted', note: (ok ? 'nothing lost' : 'data still lost') + partial };
    },
  },
];

/** Pure: one row per memo claim, in the memo's order. */
export function claimsTable(before: Report, after: Report): ClaimRow[] {
  return claimSpecs.map((spec) => ({ claim: spec.claim, measure: spec.measure, ...spec.row(before, after) }));
}

const mark: Record<ClaimStatus, string> = { confirmed: '✔ confirmed', refuted: '✘ refuted', 'not measured': '· not measured' };

/** Plain-text table for a terminal (the demo), one claim per line, columns padded. */
export function renderClaims(rows: readonly ClaimRow[]): string {
  const header = ['memo claim', 'measured', 'before', 'after', 'verdict'];
  const body = rows.map((r) => [r.claim, r.measure, r.before, r.after + (r.change ? ` (${r.change})` : ''), mark[r.status]]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '─'.repeat(w))), ...body.map(line)].join('\n');
}

/** Markdown table for report.md. */
export function claimsMarkdown(rows: readonly ClaimRow[], cell: (text: string) => string): string[] {
  const icon: Record<ClaimStatus, string> = { confirmed: '✅ confirmed', refuted: '❌ refuted', 'not measured': '➖ not measured' };
  return [
    '### The memo\'s claims, measured',
    '',
    '| memo claim | measured | before | after | change | verdict |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${cell(r.claim)} | ${cell(r.measure)} | ${cell(r.before)} | ${cell(r.after)} | ${cell(r.change)} | ${icon[r.status]}: ${cell(r.note)} |`),
  ];
}
