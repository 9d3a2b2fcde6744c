/**
 * Errors carry their exit code; only `main` in src/cli.ts turns them into a process exit.
 * Codes follow the contract in DESIGN.md.
 */
export const ExitCode = {
  ok: 0,
  failed: 1,
  usage: 2,
  unreachable: 3,
  internal: 70,
  /** 128 + SIGINT, what a shell reports for a command stopped by Ctrl-C. */
  interrupted: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export class GenieError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue,
    /** A command or flag that fixes the problem, printed after the message. */
    readonly hint?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad flags, bad config, a project that is not what the command needs: exit 2. */
export class UsageError extends GenieError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.usage, hint);
  }
}

/** The target cannot be reached at all: exit 3. */
export class UnreachableError extends GenieError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.unreachable, hint);
  }
}

/** A check ran and found a problem (scenario failed, regression, codemod could not apply): exit 1. */
export class FailureError extends GenieError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.failed, hint);
  }
}

/**
 * The command has already printed its outcome (a verdict table, a diff summary); only the exit code
 * is left to say. Nothing more is printed for it.
 */
export class ExitError extends GenieError {
  constructor(exitCode: ExitCodeValue) {
    super(`exit ${exitCode}`, exitCode);
  }
}

/** Ctrl-C (or SIGTERM) stopped the command after it stopped everything it had started: exit 130. */
export class InterruptedError extends GenieError {
  constructor(message = 'interrupted; everything it started is stopped') {
    super(message, ExitCode.interrupted);
  }
}

export function formatError(err: GenieError): string {
  return err.hint ? `genie-fix: ${err.message} (${err.hint})` : `genie-fix: ${err.message}`;
}
