import { Command, CommanderError } from 'commander';
import { ExitCode, ExitError, GenieError, formatError } from './errors.ts';
import { redact } from './redact.ts';
import { commands } from './commands/index.ts';
import { VERSION } from './version.ts';

export { VERSION };

export function buildProgram(): Command {
  const program = new Command('genie-fix')
    .description('Reproduce, fix and prove the concurrency defects of Next.js + Prisma + Gemini apps')
    .version(VERSION)
    .showHelpAfterError('(run genie-fix --help for usage)')
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}

/** Commander reports help and the version as "errors"; only asked-for help and --version are a success. */
function commanderExit(err: CommanderError): number {
  if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return ExitCode.ok;
  // `genie-fix` (or `genie-fix lab`) with no command prints the help on stderr: a usage error.
  if (err.code === 'commander.help') return err.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  return ExitCode.usage;
}

/**
 * The only place that maps outcomes to exit codes: a command that returns succeeded; a command
 * that throws a GenieError carries its code. Returns the code instead of exiting so tests can call it.
 */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  // `help <cmd>` prints help synchronously, before the preSubcommand hooks that fill in lazily
  // loaded help text (apply's codemod list) have run; `<cmd> --help` runs them, so use that.
  const [cmd, sub, ...rest] = argv.slice(2);
  if (cmd === 'help' && program.commands.some((c) => c.name() === sub)) argv = [...argv.slice(0, 2), sub, '--help', ...rest];
  try {
    await program.parseAsync(argv);
    return ExitCode.ok;
  } catch (err) {
    if (err instanceof CommanderError) return commanderExit(err);
    if (err instanceof ExitError) return err.exitCode;
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
