import type { Command } from 'commander';
import { FailureError, UsageError } from '../errors.ts';
import { redact } from '../redact.ts';
import { regressionAnnotations } from '../report/annotations.ts';
import type { CompareRow, Regression } from '../report/compare.ts';
import { formatCompareTable, regressionLines } from '../report/compare-table.ts';

export interface CompareOptions {
  baseline: string;
  current: string;
  /** Per metric, allowed worsening in percent of the baseline. */
  tolerances?: Record<string, number>;
}

export interface CompareResult {
  baseline: string;
  current: string;
  rows: CompareRow[];
  regressions: Regression[];
}

export async function compare(options: CompareOptions): Promise<CompareResult> {
  const { compareReports, readReport } = await import('../report/compare.ts');
  const baseline = readReport(options.baseline);
  const current = readReport(options.current);
  const { rows, regressions } = compareReports(baseline, current, { tolerances: options.tolerances });
  return { baseline: options.baseline, current: options.current, rows, regressions };
}

/** `--tolerance p95Ms=30` (repeatable): percent of the baseline a metric may worsen by. */
export function parseTolerance(value: string, previous: Record<string, number> = {}): Record<string, number> {
  const match = /^([A-Za-z0-9_.-]+)=(\d+(?:\.\d+)?)%?$/.exec(value.trim());
  if (!match) throw new UsageError(`--tolerance expects metric=percent (e.g. p95Ms=30), got "${value}"`);
  return { ...previous, [match[1]!]: Number(match[2]) };
}

export function register(program: Command): void {
  program
    .command('compare')
    .description('compare two report.json files; exit 1 when the current one regressed')
    .argument('<baseline>', 'report.json of the known-good run')
    .argument('<current>', 'report.json of the run to check')
    .option('--json', 'print the comparison as JSON on stdout')
    .option('--tolerance <metric=pct>', 'allowed worsening of a metric in percent of the baseline (repeatable)', parseTolerance, {})
    .action(async (baseline: string, current: string, opts: { json?: boolean; tolerance: Record<string, number> }) => {
      const result = await compare({ baseline, current, tolerances: opts.tolerance });
      const human = opts.json ? process.stderr : process.stdout;
      if (opts.json) process.stdout.write(redact(JSON.stringify(result, null, 2)) + '\n');
      else human.write(redact(formatCompareTable(result.rows)) + '\n');
      for (const line of regressionLines(result.regressions)) human.write(redact(line) + '\n');
      // Workflow commands are read from stdout; with --json stdout is machine output, so they are left out.
      if (process.env.GITHUB_ACTIONS === 'true' && !opts.json) {
        for (const line of regressionAnnotations(result.regressions)) process.stdout.write(line + '\n');
      }
      if (result.regressions.length > 0) {
        const scenarios = [...new Set(result.regressions.map((r) => r.scenario))];
        throw new FailureError(`${result.regressions.length} regression(s) in ${scenarios.join(', ')} against ${baseline}`);
      }
      if (!opts.json) human.write('no regression\n');
    });
}
