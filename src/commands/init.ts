import path from 'node:path';
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('init')
    .description("read an app's route handlers and write the target description diagnose --config uses")
    .argument('<app-dir>', 'the Next.js app folder')
    .option('--out <file>', 'where to write it (default <app-dir>/genie.json)')
    .option('--force', 'overwrite an existing file')
    .option('--json', 'print the description on stdout instead of writing a file')
    .action(async (appDir: string, opts: { out?: string; force?: boolean; json?: boolean }) => {
      const { init } = await import('../init/index.ts');
      const result = init({ appDir, out: opts.out, force: opts.force, dryRun: opts.json });
      const human = opts.json ? process.stderr : process.stdout;
      for (const line of result.lines) human.write(`  ${line}\n`);
      if (opts.json) {
        process.stdout.write(JSON.stringify(result.config, null, 2) + '\n');
        return;
      }
      const rel = path.relative(process.cwd(), result.file!) || result.file!;
      human.write(`wrote ${rel} from ${result.routes} route file(s)${result.todos ? `, ${result.todos} TODO(s) to check` : ''}\n`);
      human.write(`next: genie-fix diagnose --url <deployment> --config ${rel} --accounts <accounts.json>\n`);
    });
}
