import path from 'node:path';
import type { Command } from 'commander';
import { createStepRunner } from '../demo/steps.ts';
import type { DefectRow } from '../demo/defects.ts';
import { DEFAULTS } from '../defaults.ts';
import { ExitError, InterruptedError } from '../errors.ts';
import { stderrColor as chalk } from '../terminal.ts';
import { intOption } from './options.ts';
import { renderClaims } from '../report/claims.ts';
import { redact } from '../redact.ts';
import { LAB_DEFAULTS } from '../lab/defaults.ts';

interface DemoFlags {
  out?: string;
  keep?: boolean;
  users: number;
  scenario?: string[];
  skipCodemod?: string[];
  instances?: number;
  json?: boolean;
}

export function renderRows(rows: DefectRow[]): string {
  const head = ['defect', 'before', 'after', ''];
  const body = rows.map((r) => [r.label, r.before, r.after, r.held ? chalk.green('fixed') : chalk.red('NOT PROVEN')]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => stripAnsi(row[i]!).length)));
  const line = (cells: string[]) => cells.map((c, i) => c + ' '.repeat(widths[i]! - stripAnsi(c).length)).join('  ');
  return [chalk.bold(line(head)), ...body.map(line)].join('\n');
}

function stripAnsi(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\u001b\[[0-9;]*m/g, '');
}

export function register(program: Command): void {
  program
    .command('demo')
    .description('reproduce → fix → prove on the bundled sample app: lab up, diagnose, apply to a copy, rebuild, diagnose again')
    .option('--out <dir>', 'where the before/after reports go (default reports/demo-<timestamp>)')
    .option('--keep', 'keep the patched copy of the app')
    .option('--users <n>', `concurrent virtual users (1–${DEFAULTS.maxUsers})`, intOption('--users', { min: 1, max: DEFAULTS.maxUsers, example: DEFAULTS.users }), DEFAULTS.users)
    .option('--scenario <ids...>', 'scenarios to run before and after (default: the five core defects, plus cache-effectiveness and upload-memory for the claims table)')
    .option('--skip-codemod <ids...>', 'leave a fix out on purpose (the demo must then fail naming its defect)')
    .option('--instances <n>', `app instances in the lab (default ${LAB_DEFAULTS.instances})`, intOption('--instances', { min: 1, max: 64, example: LAB_DEFAULTS.instances }))
    .option('--json', 'print the result as JSON on stdout')
    .action(async (flags: DemoFlags) => {
      const { users, instances } = flags;
      const out = flags.out ?? path.join('reports', `demo-${new Date().toISOString().replace(/[:.]/g, '-')}`);
      const abort = new AbortController();
      const onSigint = () => {
        if (!abort.signal.aborted) process.stderr.write('\ninterrupted: stopping everything the demo started…\n');
        abort.abort();
      };
      process.once('SIGINT', onSigint);
      process.once('SIGTERM', onSigint);
      const log = (line: string) => process.stderr.write(redact(line) + '\n');
      try {
        const { runDemo } = await import('../demo/run.ts');
        const result = await runDemo({
          out,
          users,
          instances,
          scenarios: flags.scenario,
          skipCodemods: flags.skipCodemod,
          keep: flags.keep,
          signal: abort.signal,
          steps: createStepRunner(),
          log,
        });
        if (flags.json) {
          process.stdout.write(
            JSON.stringify({ exitCode: result.exitCode, rows: result.rows, claims: result.claims, failures: result.failures, files: result.files }, null, 2) + '\n',
          );
        }
        log('');
        log(renderRows(result.rows));
        log('');
        if (result.claims.some((c) => c.status !== 'not measured')) {
          log(chalk.bold("The memo's claims, measured:"));
          log(renderClaims(result.claims));
          log('');
        }
        log(`reports: ${path.join(out, 'before')} · ${path.join(out, 'after')} (report.html shows before/after)`);
        if (flags.keep) log(`patched copy kept at ${result.patchedDir}`);
        if (result.exitCode === 0) {
          log(chalk.green(`✔ every defect was reproduced before the fix and is gone after it`));
        } else {
          for (const f of result.failures) log(chalk.red(`✖ ${f}`));
          log(chalk.red('the loop did not hold: see the lines above'));
        }
        if (result.exitCode !== 0) throw new ExitError(result.exitCode);
      } catch (err) {
        // runDemo stopped the lab and removed the copy before it threw.
        if (abort.signal.aborted) throw new InterruptedError();
        throw err;
      } finally {
        process.off('SIGINT', onSigint);
        process.off('SIGTERM', onSigint);
      }
    });
}
