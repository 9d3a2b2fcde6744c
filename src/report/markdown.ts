/**
 * report.md: fits $GITHUB_STEP_SUMMARY and a PR comment. A verdict table first (one row per
 * scenario with its key figure), then a before/after table when a baseline is given, then each
 * scenario's evidence folded in <details>. Stays under a PR comment's 65 536 characters.
 */
import type { CompareRow, Regression } from './compare.ts';
import { claimsMarkdown, claimsTable } from './claims.ts';
import { flattenMetrics, formatMetric, keyFigure, keyMetrics } from './metrics.ts';
import type { Report, ScenarioReport, Verdict } from './types.ts';

export const verdictIcon: Record<Verdict, string> = { pass: '✅', fail: '❌', error: '⚠️', skip: '⏭️' };
const MAX_CHARS = 60_000;

/** Table cells: pipes would end the cell, newlines the row. */
export function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ').replace(/</g, '&lt;');
}

function headline(report: Report): string {
  const counts = (v: Verdict) => report.scenarios.filter((s) => s.verdict === v).length;
  const bad = counts('fail') + counts('error');
  const total = report.scenarios.length;
  if (bad === 0) return `## ✅ genie-fix: ${counts('pass')} of ${total} scenarios pass`;
  return `## ❌ genie-fix: ${bad} of ${total} scenarios ${counts('error') ? 'fail or could not run' : 'fail'}`;
}

function verdictTable(report: Report, regressed: Set<string>): string[] {
  const lines = ['| | scenario | verdict | key figure |', '|---|---|---|---|'];
  for (const s of report.scenarios) {
    const tag = regressed.has(s.id) ? ' (regressed)' : '';
    lines.push(`| ${verdictIcon[s.verdict]} | ${cell(s.title)} \`${s.id}\` | **${s.verdict}**${tag} | ${cell(keyFigure(s))} |`);
  }
  return lines;
}

function beforeAfter(baseline: Report, report: Report, rows: CompareRow[]): string[] {
  const lines = ['### Before / after', '', `Baseline: ${cell(baseline.startedAt)} · current: ${cell(report.startedAt)}`, '',
    '| scenario | metric | before | after | change |', '|---|---|---|---|---|'];
  const status: Record<CompareRow['status'], string> = { same: '=', better: '🟢 better', worse: '🟡 worse', regressed: '🔴 **regressed**', info: '', added: 'new', removed: 'gone' };
  for (const s of report.scenarios) {
    const wanted = new Set(['verdict', ...keyMetrics(s)]);
    for (const row of rows.filter((r) => r.scenario === s.id && (wanted.has(r.metric) || r.status === 'regressed'))) {
      lines.push(`| \`${s.id}\` | ${row.metric} | ${cell(formatMetric(row.metric, row.baseline))} | ${cell(formatMetric(row.metric, row.current))} | ${status[row.status]} |`);
    }
  }
  return lines;
}

function sample(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function scenarioDetails(s: ScenarioReport): string[] {
  const lines = [`<details><summary>${verdictIcon[s.verdict]} <b>${cell(s.id)}</b>: ${cell(s.summary)}</summary>`, ''];
  const metrics = flattenMetrics(s.metrics);
  if (Object.keys(metrics).length > 0) {
    lines.push('| metric | value |', '|---|---|');
    for (const [k, v] of Object.entries(metrics)) lines.push(`| ${k} | ${cell(formatMetric(k, v))} |`);
    lines.push('');
  }
  const checks = Object.values(s.thresholds);
  if (checks.length > 0) {
    lines.push('| check | level | result |', '|---|---|---|');
    for (const t of checks) lines.push(`| ${cell(t.message)} | ${t.level} | ${t.passed ? '✅ pass' : t.level === 'error' ? '❌ fail' : '🟡 warn'} |`);
    lines.push('');
  }
  for (const e of s.evidence) {
    lines.push(`- **${cell(e.kind)}**: ${cell(e.message)}`);
    for (const x of (e.samples ?? []).slice(0, 3)) lines.push(`  - \`${sample(x).replace(/`/g, "'")}\``);
  }
  lines.push('', '</details>', '');
  return lines;
}

export function renderMarkdown(report: Report, compared?: { baseline: Report; rows: CompareRow[]; regressions: Regression[] }): string {
  const regressed = new Set(compared?.regressions.map((r) => r.scenario));
  const head = [
    headline(report),
    '',
    `Target \`${report.target.url}\` · ${report.options.users} users · started ${report.startedAt} · ${(report.durationMs / 1000).toFixed(1)} s${report.partial ? ' · **partial: the run was interrupted**' : ''}`,
    '',
    ...verdictTable(report, regressed),
    '',
  ];
  if (compared) {
    head.push(compared.regressions.length === 0
      ? '**No regression against the baseline.**'
      : `**${compared.regressions.length} regression(s) against the baseline:**\n${compared.regressions.map((r) => `- \`${r.scenario}\` ${r.metric}: ${cell(r.reason)}`).join('\n')}`);
    head.push('', ...beforeAfter(compared.baseline, report, compared.rows), '');
    head.push(...claimsMarkdown(claimsTable(compared.baseline, report), cell), '');
  }
  const details = ['### Evidence', '', ...report.scenarios.flatMap(scenarioDetails)];
  const full = [...head, ...details].join('\n');
  if (full.length <= MAX_CHARS) return full;
  return [...head, '_Evidence left out to fit a PR comment: see report.html or report.json._', ''].join('\n');
}
