import type { Command } from 'commander';
import { Option } from 'commander';
import { DEFAULTS } from '../defaults.ts';
import { githubAnnotations } from '../report/annotations.ts';
import { presetNames } from '../report/thresholds.ts';
import { verdictTable } from '../diagnose/table.ts';
import { ExitError } from '../errors.ts';
import { intOption } from './options.ts';
import { redact } from '../redact.ts';
import { scenarioIds } from '../../scenarios/ids.ts';
import { STREAM_FORMATS, type StreamFormat } from '../load/formats/parts.ts';

interface DiagnoseFlags {
  url: string;
  scenario?: string[];
  skip?: string[];
  users: number;
  config?: string;
  accounts?: string;
  databaseUrl?: string;
  out?: string;
  baseline?: string;
  json?: boolean;
  yes?: boolean;
  labDir?: string;
  runs: number;
  preset: string;
  streamFormat?: StreamFormat;
}

/** GitHub Actions sets GITHUB_ACTIONS=true in every step. */
export function annotationsWanted(env: NodeJS.ProcessEnv, json: boolean | undefined): boolean {
  return env.GITHUB_ACTIONS === 'true' && !json;
}

export function register(program: Command): void {
  program
    .command('diagnose')
    .description('run load scenarios against a deployment and write a report')
    .requiredOption('--url <base>', 'base URL of the deployment, e.g. http://127.0.0.1:3000')
    .addOption(new Option('--scenario <ids...>', `scenarios to run: ${scenarioIds.join(', ')}`))
    .addOption(new Option('--only <ids...>', 'same as --scenario').hideHelp())
    .option('--skip <ids...>', 'scenarios to leave out')
    .option('--users <n>', `concurrent virtual users (1–${DEFAULTS.maxUsers})`, intOption('--users', { min: 1, max: DEFAULTS.maxUsers, example: DEFAULTS.users }), DEFAULTS.users)
    .option('--config <file>', 'target description (JSON, `genie-fix init` writes one): requests, session, races, routes, thresholds')
    .option('--accounts <file>', 'accounts to log in with (JSON): {"pattern":{"id":"user{n:3}","password":"pass-{n:3}","first":1,"count":120}} or {"list":[{"id":"…","password":"…"}]}')
    .option('--database-url <url>', 'PostgreSQL URL to watch connections while the scenarios run')
    .option('--out <dir>', 'output folder (default reports/<timestamp>/)')
    .option('--baseline <report.json>', 'compare with an earlier report; exit 1 on regression')
    .option('--runs <n>', `repeat every scenario n times (1–${DEFAULTS.maxRuns}) and judge the median of each metric, so one noisy run does not flip the gate`, intOption('--runs', { min: 1, max: DEFAULTS.maxRuns, example: 3 }), DEFAULTS.runs)
    .addOption(new Option('--preset <name>', 'threshold preset: which rules judge the scenarios').choices([...presetNames]).default('default'))
    .option('--json', 'print the report as JSON on stdout (human output goes to stderr)')
    .option('--yes', 'allow write scenarios against a non-loopback host')
    .addOption(new Option('--stream-format <format>', 'read chat replies in this format instead of detecting it from the response').choices([...STREAM_FORMATS]))
    .option('--lab-dir <dir>', 'the lab serving --url, so upload-memory can sample the app processes\' memory (default: the default lab when it serves --url)')
    .action(async (flags: DiagnoseFlags & { only?: string[] }) => {
      const controller = new AbortController();
      const onSigint = () => {
        process.stderr.write('\ninterrupted: stopping the running scenario and writing a partial report…\n');
        controller.abort();
      };
      process.once('SIGINT', onSigint);
      try {
        const { diagnose } = await import('../diagnose/run.ts');
        const result = await diagnose({
          url: flags.url,
          scenarios: flags.scenario ?? flags.only,
          skip: flags.skip,
          users: flags.users,
          config: flags.config,
          accounts: flags.accounts,
          databaseUrl: flags.databaseUrl,
          out: flags.out,
          baseline: flags.baseline,
          yes: flags.yes,
          labDir: flags.labDir,
          runs: flags.runs,
          preset: flags.preset,
          streamFormat: flags.streamFormat,
          signal: controller.signal,
          version: program.version(),
        });
        const human = [verdictTable(result.report, flags.json ? 'stderr' : 'stdout'), `report: ${result.files.join(', ')}`];
        for (const r of result.regressions) human.push(`regression: ${r.scenario} ${r.metric}: ${r.reason}`);
        const text = redact(human.join('\n')) + '\n';
        if (flags.json) {
          process.stderr.write(text);
          process.stdout.write(redact(JSON.stringify(result.report, null, 2)) + '\n');
        } else {
          process.stdout.write(text);
          // Workflow commands are read from stdout; with --json, stdout is the report alone.
          if (annotationsWanted(process.env, flags.json)) {
            for (const line of githubAnnotations(result.report, result.regressions)) process.stdout.write(line + '\n');
          }
        }
        if (result.exitCode !== 0) throw new ExitError(result.exitCode);
      } finally {
        process.removeListener('SIGINT', onSigint);
      }
    });
}
