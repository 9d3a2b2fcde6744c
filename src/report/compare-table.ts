/** The human table `genie-fix compare` prints: one block per scenario, one row per metric. */
import chalk from 'chalk';
import type { CompareRow, Regression } from './compare.ts';
import { formatMetric } from './metrics.ts';

const statusText: Record<CompareRow['status'], (s: string) => string> = {
  same: chalk.dim,
  better: chalk.green,
  worse: chalk.yellow,
  regressed: (s) => chalk.red.bold(s),
  info: chalk.dim,
  added: chalk.cyan,
  removed: chalk.cyan,
};

function formatDelta(row: CompareRow): string {
  if (row.delta === null) return '';
  const sign = row.delta > 0 ? '+' : '';
  const base = typeof row.baseline === 'number' && row.baseline !== 0 ? ` (${sign}${Math.round((row.delta / Math.abs(row.baseline)) * 100)} %)` : '';
  return `${sign}${formatMetric(row.metric, row.delta)}${base}`;
}

// chalk's escape codes have no width: pad on the visible text.
const visible = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '').length;
const pad = (s: string, width: number) => s + ' '.repeat(Math.max(0, width - visible(s)));

export function formatCompareTable(rows: CompareRow[]): string {
  const lines: string[] = [];
  const header = ['metric', 'baseline', 'current', 'delta', 'status'];
  const byScenario = new Map<string, CompareRow[]>();
  for (const row of rows) byScenario.set(row.scenario, [...(byScenario.get(row.scenario) ?? []), row]);
  for (const [scenario, all] of byScenario) {
    const cells = all.map((r) => [
      r.metric,
      r.baseline === undefined ? '–' : formatMetric(r.metric, r.baseline),
      r.current === undefined ? '–' : formatMetric(r.metric, r.current),
      formatDelta(r),
      statusText[r.status](r.status),
    ]);
    const widths = header.map((h, i) => Math.max(visible(h), ...cells.map((c) => visible(c[i]!))));
    const regressed = all.some((r) => r.status === 'regressed');
    lines.push(chalk.bold(`${scenario}`) + (regressed ? chalk.red('  regressed') : ''));
    lines.push('  ' + chalk.dim(header.map((h, i) => pad(h, widths[i]!)).join('  ').trimEnd()));
    for (const c of cells) lines.push('  ' + c.map((cell, i) => pad(cell, widths[i]!)).join('  ').trimEnd());
    lines.push('');
  }
  return lines.join('\n');
}

/** One line per regression, naming scenario and metric, for logs and CI. */
export function regressionLines(regressions: Regression[]): string[] {
  return regressions.map((r) => `regression: ${r.scenario} ${r.metric}: ${r.reason}`);
}
