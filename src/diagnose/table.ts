import chalk from 'chalk';
import type { Report, Verdict } from '../report/types.ts';

const paint: Record<Verdict, (s: string) => string> = {
  pass: chalk.green,
  fail: chalk.red,
  error: chalk.yellow,
  skip: chalk.gray,
};

/** The verdict table printed at the end of a run. */
export function verdictTable(report: Report): string {
  const width = Math.max(...report.scenarios.map((s) => s.id.length), 8);
  const lines = report.scenarios.map((s) => `  ${paint[s.verdict](s.verdict.toUpperCase().padEnd(5))}  ${s.id.padEnd(width)}  ${s.summary}`);
  const counts = (['pass', 'fail', 'error', 'skip'] as const)
    .map((v) => [v, report.scenarios.filter((s) => s.verdict === v).length] as const)
    .filter(([, c]) => c > 0)
    .map(([v, c]) => paint[v](`${c} ${v}`));
  const head = report.partial ? chalk.yellow('interrupted: partial report') : '';
  return [head, ...lines, `  ${counts.join(', ')} in ${(report.durationMs / 1000).toFixed(1)} s`].filter(Boolean).join('\n');
}
