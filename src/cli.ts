import { Command, CommanderError } from 'commander';
import { ExitCode, GenieError, formatError } from './errors.ts';
import { redact } from './redact.ts';
import { commands } from './commands/index.ts';

export const VERSION = '0.1.0';

export function buildProgram(): Command {
  const program = new Command('genie-fix')
    .description('Reproduce, fix and prove the concurrency defects of Next.js + Prisma + Gemini apps')
    .version(VERSION)
    .showHelpAfterError('(run genie-fix --help for usage)')
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}

/** The only place that maps errors to exit codes; returns the code instead of exiting so tests can call it. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') {
        return ExitCode.ok;
      }
      return ExitCode.usage;
    }
    if (err instanceof GenieError) {
      process.stderr.write(redact(formatError(err)) + '\n');
      return err.exitCode;
    }
    const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
    process.stderr.write(
      redact(`genie-fix: internal error, please report it with this output:\n${detail}`) + '\n',
    );
    return ExitCode.internal;
  }
}
