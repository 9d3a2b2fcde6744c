import type { Command } from 'commander';
import fs from 'node:fs';
import path from 'node:path';
import type { ApplyResult } from '../apply/index.ts';
import { ExitError, UsageError } from '../errors.ts';
import { parseInteger } from './options.ts';
import { redact } from '../redact.ts';

interface ApplyFlags {
  write?: boolean;
  only?: string[];
  skip?: string[];
  force?: boolean;
  json?: boolean;
  typecheck?: boolean;
  connectionLimit?: string;
  poolTimeout?: string;
  connectTimeout?: string;
  databaseUrl?: string;
  instances?: string;
  deploy?: string;
  store?: string;
  versionCheck?: string[];
}

const STORES = ['memory', 'redis'] as const;

function storeFlag(value: string | undefined): (typeof STORES)[number] {
  if (value === undefined) return 'memory';
  const store = STORES.find((s) => s === value);
  if (!store) throw new UsageError(`--store must be one of ${STORES.join(', ')}, got "${value}"`);
  return store;
}

function intFlag(name: string, value: string | undefined, min = 0): number | undefined {
  return value === undefined ? undefined : parseInteger(name, value, { min });
}

function deployFlag(value: string | undefined): 'serverless' | 'server' | undefined {
  if (value === undefined || value === 'serverless' || value === 'server') return value;
  throw new UsageError(`--deploy must be serverless or server, got "${value}"`);
}

/** Human output: diffs, then one line per change / candidate / failure, then a summary per codemod. */
export function formatApply(result: ApplyResult): string {
  const out: string[] = [];
  for (const f of result.files) out.push(f.diff);
  for (const u of result.unparsable) out.push(`skipped ${u.path}: does not parse (${u.reason})`);
  for (const c of result.codemods) {
    for (const n of c.changes) out.push(`[${c.id}] ${n.file}${n.line ? `:${n.line}` : ''} ${n.message}${n.memoWasWrong ? `\n    memo was wrong: ${n.memoWasWrong}` : ''}`);
    for (const n of c.candidates) out.push(`[${c.id}] needs a human: ${n.file}${n.line ? `:${n.line}` : ''} ${n.message}`);
    for (const n of c.notes) out.push(`[${c.id}] left alone: ${n.file}${n.line ? `:${n.line}` : ''} ${n.message.replace(/^left alone:\s*/, '')}`);
    for (const n of c.failures) out.push(`[${c.id}] FAILED: ${n.file}${n.line ? `:${n.line}` : ''} ${n.message}`);
  }
  out.push('', 'summary:');
  for (const c of result.codemods) {
    const detail = c.status === 'skipped' ? c.reason : `${c.changedFiles.length} file(s) changed, ${c.candidates.length} candidate(s), ${c.failures.length} failure(s), ${c.filesScanned} scanned`;
    out.push(`  ${c.id.padEnd(16)} ${c.status.padEnd(9)} ${detail}`);
  }
  if (result.templatesAdded.length) out.push(`templates added: ${result.templatesAdded.join(', ')}`);
  const deps = Object.entries(result.dependenciesAdded);
  if (deps.length) out.push(`dependencies added to package.json (run your package manager's install): ${deps.map(([k, v]) => `${k}@${v}`).join(', ')}`);
  const p = result.proof;
  out.push(
    p.checked
      ? `proof: every edit shown was type-checked in memory with the app's tsconfig and TypeScript ${p.typescript ?? '(no edits to check)'}${p.editsDropped ? `; ${p.editsDropped} edit(s) not proven, listed above as "needs a human"` : ''}`
      : `proof: UNCHECKED (${p.reason}): these edits were not type-checked`,
  );
  if (result.browserOnly) out.push(`browser code: ${result.browserOnly} file(s) only run in the browser and were not looked at`);
  if (result.javascriptUnread) out.push(`not read: ${result.javascriptUnread} JavaScript file(s) of the app's own code (app/, pages/, src/, lib/ …): the codemods read TypeScript (.ts/.tsx) only`);
  out.push(result.written ? `wrote ${result.files.length} file(s)` : result.files.length ? `dry run: ${result.files.length} file(s) would change; re-run with --write` : 'nothing to change');
  return redact(out.join('\n'));
}

/** Filled in when apply is the command run: the registry loads ts-morph, too slow for every start-up. */
let codemodList: string | undefined;

export function register(program: Command): void {
  program.hook('preSubcommand', async (_program, command) => {
    if (command.name() !== 'apply') return;
    const { codemodHelp } = await import('../../codemods/index.ts');
    codemodList = `\nCodemods:\n${codemodHelp()}`;
  });
  program
    .command('apply')
    .description('apply the codemods to a Next.js app (dry run: unified diff + summary; --write writes)')
    .argument('<dir>', 'the Next.js app folder')
    .option('--write', 'write the changes (default: dry run)')
    .option('--only <ids...>', 'run only these codemods')
    .option('--skip <ids...>', 'skip these codemods')
    .option('--force', 'write even if the git tree has uncommitted changes')
    .option('--json', 'print the summary as JSON on stdout')
    .option('--no-typecheck', 'do not prove edits by type-checking them (for an app whose dependencies are not installed); edits are marked unchecked')
    .option('--connection-limit <n>', 'database-url: connection_limit per instance')
    .option('--pool-timeout <s>', 'database-url: pool_timeout in seconds')
    .option('--connect-timeout <s>', 'database-url: connect_timeout in seconds')
    .option('--database-url <url>', 'database-url: read max_connections from this server')
    .option('--instances <n>', 'database-url: instances sharing the database (serverless function instances at peak, or server processes)')
    .option('--deploy <kind>', 'database-url: how the app runs, serverless or server (default: read from vercel.json, Dockerfile, output: standalone, …)')
    .option('--version-check <routes...>', 'optimistic-lock: files (app-relative paths or globs) to version-check: a route whose clients send back the version they read (its blind writes answer 409 on conflict), or library code whose callers handle a thrown ConflictError')
    .option('--store <kind>', 'where the login limiter and cache keep state: memory (per instance) or redis (shared; the app needs REDIS_URL)', 'memory')
    .addHelpText('after', () => codemodList ?? '\nCodemods: listed by genie-fix apply --help')
    .action(async (dir: string, flags: ApplyFlags) => {
      const { applyCodemods } = await import('../apply/index.ts');
      const { workspaceNextApps } = await import('../apply/monorepo.ts');
      const { isNextProject } = await import('../apply/preflight.ts');
      const store = storeFlag(flags.store);
      // At a monorepo root, every Next.js app among its workspaces, one after the other.
      const root = path.resolve(dir);
      const apps = fs.existsSync(root) && fs.statSync(root).isDirectory() && !isNextProject(root) ? workspaceNextApps(root) : [];
      const targets = apps.length ? apps.map((a) => path.join(root, a)) : [dir];
      let exitCode: 0 | 1 = 0;
      const results: ApplyResult[] = [];
      for (const target of targets) {
        const result = await applyCodemods({
          store,
          dir: target,
          write: flags.write,
          only: flags.only,
          skip: flags.skip,
          force: flags.force,
          typecheck: flags.typecheck,
          options: {
            connectionLimit: intFlag('--connection-limit', flags.connectionLimit),
            poolTimeout: intFlag('--pool-timeout', flags.poolTimeout),
            connectTimeout: intFlag('--connect-timeout', flags.connectTimeout),
            databaseUrl: flags.databaseUrl,
            instances: intFlag('--instances', flags.instances, 1),
            deploy: deployFlag(flags.deploy),
            versionCheck: flags.versionCheck,
          },
        });
        results.push(result);
        if (result.exitCode === 1) exitCode = 1;
        const storeNote =
          store === 'redis' && result.templatesAdded.length
            ? '\nstore: redis: the limiter and cache share state through Redis; set REDIS_URL in the app environment'
            : '';
        const header = apps.length ? `== ${path.relative(root, target)} (Next.js app in the monorepo ${root}) ==\n` : '';
        (flags.json ? process.stderr : process.stdout).write(header + formatApply(result) + storeNote + '\n');
      }
      if (flags.json) process.stdout.write(redact(JSON.stringify(apps.length ? { monorepo: root, apps: results } : results[0], null, 2)) + '\n');
      const result = { exitCode };
      if (result.exitCode !== 0) throw new ExitError(result.exitCode);
    });
}
