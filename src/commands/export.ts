import path from 'node:path';
import { Option, type Command } from 'commander';
import { presetNames } from '../report/thresholds.ts';
import { UsageError } from '../errors.ts';
import { redact } from '../redact.ts';
import { DEFAULTS } from '../defaults.ts';
import { intOption } from './options.ts';

interface ExportFlags {
  out: string;
  url: string;
  users: number;
  config?: string;
  preset: string;
}

const ENGINES = ['artillery'] as const;

function urlFlag(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--url must be an http(s) URL, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--url must be an http(s) URL, got "${raw}"`);
  if (url.username || url.password) throw new UsageError('--url must not carry credentials', 'accounts come from --config and GENIE_ACCOUNT_PASSWORD');
  return url.origin + url.pathname.replace(/\/$/, '');
}

export function register(program: Command): void {
  program
    .command('export')
    .description('write the five core scenarios as scripts for a distributed load engine (thresholds included)')
    .argument('<engine>', `the engine: ${ENGINES.join(', ')}`)
    .option('--out <dir>', 'folder to write the scripts to', 'genie-artillery')
    .option('--url <base>', "the deployment's base URL (config.target)", 'http://127.0.0.1:3000')
    .option('--users <n>', `concurrent virtual users (1–${DEFAULTS.maxExportUsers})`, intOption('--users', { min: 1, max: DEFAULTS.maxExportUsers, example: DEFAULTS.users }), DEFAULTS.users)
    .option('--config <file>', 'routes, accounts, payloads and thresholds of the target (as for diagnose)')
    .addOption(new Option('--preset <name>', 'threshold preset the ensure conditions come from (as for diagnose)').choices([...presetNames]).default('default'))
    .action(async (engine: string, flags: ExportFlags) => {
      if (!ENGINES.includes(engine as (typeof ENGINES)[number])) {
        throw new UsageError(`unknown engine "${engine}", choose one of: ${ENGINES.join(', ')}`);
      }
      const { loadConfig } = await import('../config.ts');
      const { exportArtillery } = await import('../export/artillery.ts');
      const { ensureWritableDir } = await import('../report/write.ts');
      const config = await loadConfig(flags.config);
      const url = urlFlag(flags.url);
      const out = path.resolve(flags.out);
      await ensureWritableDir(out);
      const files = await exportArtillery({ out, url, users: flags.users, config, preset: flags.preset });
      process.stdout.write(
        redact(
          [
            ...files.map((f) => `wrote ${path.relative(process.cwd(), f) || f}`),
            '',
            `run one: cd ${path.relative(process.cwd(), out) || '.'} && GENIE_ACCOUNT_PASSWORD='<password pattern of the seeded accounts>' npx artillery run pool-exhaustion.yml`,
            'thresholds are `ensure` conditions: a failed one makes artillery exit 1',
          ].join('\n'),
        ) + '\n',
      );
    });
}
