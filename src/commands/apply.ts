import type { Command } from 'commander';
import { codemodHelp } from '../../codemods/index.ts';
import { applyCodemods, type ApplyResult } from '../apply/index.ts';
import { UsageError } from '../errors.ts';
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

function intFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${name} must be a whole number, got "${value}"`);
  return n;
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
    for (const n of c.notes) out.push(`[${c.id}] left alone: ${n.file}${n.line ? `:${n.line}` : ''} ${n.message}`);
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
  if (result.typecheck) {
    out.push(
      result.typecheck.ran
        ? result.typecheck.newErrors.length
          ? `type-check: ${result.typecheck.newErrors.length} NEW error(s):\n${result.typecheck.newErrors.map((e) => `  ${e}`).join('\n')}`
          : `type-check: no new errors (${result.typecheck.errorsBefore} before, ${result.typecheck.errorsAfter} after)`
        : `type-check: not run (${result.typecheck.reason})`,
    );
  }
  out.push(result.written ? `wrote ${result.files.length} file(s)` : result.files.length ? `dry run: ${result.files.length} file(s) would change; re-run with --write` : 'nothing to change');
  return redact(out.join('\n'));
}

export function register(program: Command): void {
  program
    .command('apply')
    .description('apply the codemods to a Next.js app (dry run: unified diff + summary; --write writes)')
    .argument('<dir>', 'the Next.js app folder')
    .option('--write', 'write the changes (default: dry run)')
    .option('--only <ids...>', 'run only these codemods')
    .option('--skip <ids...>', 'skip these codemods')
    .option('--force', 'write even if the git tree has uncommitted changes')
    .option('--json', 'print the summary as JSON on stdout')
    .option('--no-typecheck', 'do not type-check after --write')
    .option('--connection-limit <n>', 'database-url: connection_limit per instance')
    .option('--pool-timeout <s>', 'database-url: pool_timeout in seconds')
    .option('--connect-timeout <s>', 'database-url: connect_timeout in seconds')
    .option('--database-url <url>', 'database-url: read max_connections from this server')
    .option('--instances <n>', 'database-url: instances sharing the database (serverless function instances at peak, or server processes)')
    .option('--deploy <kind>', 'database-url: how the app runs, serverless or server (default: read from vercel.json, Dockerfile, output: standalone, …)')
    .option('--version-check <routes...>', 'optimistic-lock: files (app-relative paths or globs) to version-check: a route whose clients send back the version they read (its blind writes answer 409 on conflict), or library code whose callers handle a thrown ConflictError')
    .option('--store <kind>', 'where the login limiter and cache keep state: memory (per instance) or redis (shared; the app needs REDIS_URL)', 'memory')
    .addHelpText('after', `\nCodemods:\n${codemodHelp()}`)
    .action(async (dir: string, flags: ApplyFlags) => {
      const store = storeFlag(flags.store);
      const result = await applyCodemods({
        store,
        dir,
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
          instances: intFlag('--instances', flags.instances),
          versionCheck: flags.versionCheck,
          deploy: deployFlag(flags.deploy),
        },
      });
      const storeNote =
        store === 'redis' && result.templatesAdded.length
          ? '\nstore: redis: the limiter and cache share state through Redis; set REDIS_URL in the app environment'
          : '';
      if (flags.json) {
        process.stderr.write(formatApply(result) + storeNote + '\n');
        process.stdout.write(redact(JSON.stringify(result, null, 2)) + '\n');
      } else {
        process.stdout.write(formatApply(result) + storeNote + '\n');
      }
      process.exitCode = result.exitCode;
    });
}
