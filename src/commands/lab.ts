import type { Command } from 'commander';
import { GenieError, InterruptedError, UsageError } from '../errors.ts';
import { progressLine } from '../terminal.ts';
import { intOption } from './options.ts';
import { redact } from '../redact.ts';
import { LAB_DEFAULTS } from '../lab/defaults.ts';
import { parseGeminiFaults } from '../lab/mock-gemini-options.ts';
import type { LabInfo } from '../lab/index.ts';

// The lab's code (pg, proxies, process control) loads only when a lab command runs: other commands start faster.
const lab = () => import('../lab/index.ts');

interface UpFlags {
  app?: string;
  instances?: number;
  maxConnections?: number;
  dbLatencyMs?: number;
  json?: boolean;
  rebuild?: boolean;
  labDir?: string;
  geminiFaults?: string;
}

/** The --json contract of DESIGN.md: exactly these keys. databaseUrl carries the throwaway lab password by design. */
function publicJson(info: LabInfo) {
  return { url: info.url, databaseUrl: info.databaseUrl, geminiUrl: info.geminiUrl, testUser: info.testUser };
}

function describe(info: LabInfo): string {
  return redact(
    [
      `  url        ${info.url}  (round-robin over ${info.instances} next start instance${info.instances === 1 ? '' : 's'})`,
      `  database   ${info.databaseUrl}  (superuser, direct; the app goes through the latency proxy)`,
      `  app db     ${info.appDatabaseUrl}`,
      `  gemini     ${info.geminiUrl}  (mock)`,
      `  test user  ${info.testUser.email}  (password: lab up --json)`,
      `  app        ${info.appDir}`,
      `  lab dir    ${info.labDir}`,
    ].join('\n'),
  );
}

function geminiFaultsFlag(list: string) {
  try {
    return parseGeminiFaults(list);
  } catch (err) {
    throw new UsageError(`--gemini-faults: ${(err as Error).message}`);
  }
}

async function up(flags: UpFlags): Promise<void> {
  const spinner = progressLine('starting the lab');
  // Ctrl-C half-way must not leave detached children behind: labUp stops what it started, then the
  // command ends as interrupted (exit 130).
  const controller = new AbortController();
  const onSigint = () => {
    spinner.update('interrupted; stopping the lab');
    controller.abort();
  };
  process.once('SIGINT', onSigint);
  let info: LabInfo;
  try {
    info = await (await lab()).labUp({
      app: flags.app,
      instances: flags.instances,
      maxConnections: flags.maxConnections,
      dbLatencyMs: flags.dbLatencyMs,
      gemini: flags.geminiFaults === undefined ? undefined : geminiFaultsFlag(flags.geminiFaults),
      forceBuild: flags.rebuild,
      labDir: flags.labDir,
      onProgress: (step) => spinner.update(redact(step)),
      signal: controller.signal,
    });
  } catch (err) {
    if (controller.signal.aborted) {
      spinner.fail('lab up interrupted');
      throw new InterruptedError();
    }
    // A GenieError is printed as the one line that names the problem and its fix.
    if (err instanceof GenieError) spinner.stop();
    else spinner.fail('lab up failed');
    throw err;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
  spinner.succeed('lab is up');
  if (flags.json) process.stdout.write(JSON.stringify(publicJson(info)) + '\n');
  else process.stdout.write(describe(info) + '\nstop it with: genie-fix lab down\n');
}

async function down(flags: { labDir?: string }): Promise<void> {
  const spinner = progressLine('stopping the lab');
  const { stopped } = await (await lab()).labDown({ labDir: flags.labDir });
  if (stopped.length === 0) spinner.info('no lab was running');
  else spinner.succeed(`lab stopped (${stopped.join(', ')})`);
}

async function status(flags: { json?: boolean; labDir?: string }): Promise<void> {
  const s = await (await lab()).labStatus({ labDir: flags.labDir });
  if (flags.json) {
    const info = s.info ? publicJson(s.info) : {};
    process.stdout.write(JSON.stringify({ running: s.running, ...info, processes: s.processes }) + '\n');
  } else {
    for (const p of s.processes) process.stdout.write(`  ${p.alive ? 'up  ' : 'DOWN'}  ${p.name.padEnd(12)} pid ${p.pid}\n`);
    if (s.info && s.running) process.stdout.write(describe(s.info) + '\n');
  }
  if (!s.running) {
    throw new UsageError(
      s.processes.length > 0 ? 'lab is not running (some of its processes are gone)' : 'lab is not running',
      s.processes.length > 0 ? 'run genie-fix lab down, then genie-fix lab up' : 'start it with genie-fix lab up',
    );
  }
}

export function register(program: Command): void {
  const cmd = program
    .command('lab')
    .description('start/stop the sample target: embedded PostgreSQL, mock Gemini, the Next.js app behind a round-robin proxy');

  cmd
    .command('up')
    .description('start the lab (refuses while a lab runs in the same lab dir: lab down first)')
    .option('--app <dir>', 'the Next.js app to run (default examples/genie-app)')
    .option('--instances <n>', `next start instances behind the proxy (default ${LAB_DEFAULTS.instances})`, intOption('--instances', { min: 1, max: 64, example: LAB_DEFAULTS.instances }))
    .option('--max-connections <n>', `PostgreSQL max_connections (default ${LAB_DEFAULTS.maxConnections}, 3 reserved for superusers)`, intOption('--max-connections', { min: 5, max: 10_000, example: LAB_DEFAULTS.maxConnections }))
    .option('--db-latency-ms <n>', `delay added each way between the app and PostgreSQL (default ${LAB_DEFAULTS.dbLatencyMs})`, intOption('--db-latency-ms', { min: 0, max: 10_000, example: LAB_DEFAULTS.dbLatencyMs }))
    .option('--gemini-faults <list>', "mock Gemini's Google-like faults, e.g. mid-stream-error-rate=0.2,overloaded-rate=0.1,max-output-tokens=200,non-json-stream-errors,lf (default: none)")
    .option('--rebuild', 'build the app even when nothing changed')
    .option('--lab-dir <dir>', 'where the lab keeps its state (default $GENIE_LAB_DIR or .genie-lab/)')
    .option('--json', 'print { url, databaseUrl, geminiUrl, testUser } on stdout')
    .action((flags: UpFlags) => up(flags));

  cmd
    .command('down')
    .description('stop every process of the lab (works after a crash of lab up)')
    .option('--lab-dir <dir>', 'where the lab keeps its state')
    .action((flags: { labDir?: string }) => down(flags));

  cmd
    .command('status')
    .description('show the lab\'s processes and URLs; exit 2 when it is not running')
    .option('--lab-dir <dir>', 'where the lab keeps its state')
    .option('--json', 'machine-readable status on stdout')
    .action((flags: { json?: boolean; labDir?: string }) => status(flags));
}
