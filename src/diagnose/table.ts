import chalk, { chalkStderr, type ChalkInstance } from 'chalk';
import type { Report, Verdict } from '../report/types.ts';

/**
 * The verdict table printed at the end of a run, coloured for the stream it goes to: chalk's default follows
 * stdout, so a table on stderr (with --json) would carry colour codes into a log whenever stdout is a terminal.
 */
export function verdictTable(report: Report, stream: 'stdout' | 'stderr' = 'stdout'): string {
  const c: ChalkInstance = stream === 'stderr' ? chalkStderr : chalk;
  const paint: Record<Verdict, (s: string) => string> = { pass: c.green, fail: c.red, error: c.yellow, skip: c.gray };
  const width = Math.max(...report.scenarios.map((s) => s.id.length), 8);
  const lines = report.scenarios.map((s) => `  ${paint[s.verdict](s.verdict.toUpperCase().padEnd(5))}  ${s.id.padEnd(width)}  ${s.summary}`);
  const counts = (['pass', 'fail', 'error', 'skip'] as const)
    .map((v) => [v, report.scenarios.filter((s) => s.verdict === v).length] as const)
    .filter(([, c]) => c > 0)
    .map(([v, c]) => paint[v](`${c} ${v}`));
  const head = report.partial ? c.yellow('interrupted: partial report') : '';
  return [head, ...lines, `  ${counts.join(', ')} in ${(report.durationMs / 1000).toFixed(1)} s`].filter(Boolean).join('\n');
}
