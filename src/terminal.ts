/**
 * Progress output on stderr that behaves in every terminal. ora computes how many lines to clear
 * from the terminal's width; a pseudo-terminal that reports 0 columns makes that infinite (119 MB
 * of escape codes, Ctrl-C ignored). So a spinner runs only on a real terminal with a width, and
 * anywhere else progress is plain lines without colour, fit for a log file.
 */
import { chalkStderr } from 'chalk';
import ora, { type Ora } from 'ora';

export function spinnerUsable(stream: NodeJS.WriteStream = process.stderr): boolean {
  return Boolean(stream.isTTY) && (stream.columns ?? 0) > 0 && process.env.TERM !== 'dumb' && !process.env.CI;
}

export function startSpinner(text: string, stream: NodeJS.WriteStream = process.stderr): Ora {
  return ora({ text, stream, discardStdin: false }).start();
}

/** Colours for text written to stderr: chalk's default follows stdout, which may be a terminal while stderr is a log. */
export const stderrColor = chalkStderr;

/** A status line: a spinner on a usable terminal, otherwise one plain line per change. */
export interface Progress {
  update(text: string): void;
  succeed(text: string): void;
  fail(text: string): void;
  info(text: string): void;
  /** Ends without a verdict line (the caller reports the outcome itself, e.g. as an error line). */
  stop(): void;
}

export function progressLine(text: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (spinnerUsable(stream)) {
    const spinner = startSpinner(text, stream);
    return {
      update: (t) => (spinner.text = t),
      succeed: (t) => spinner.succeed(t),
      fail: (t) => spinner.fail(t),
      info: (t) => spinner.info(t),
      stop: () => spinner.stop(),
    };
  }
  // The first line waits for the first change: a command refused at once prints only its error line.
  let last = text;
  return {
    update: (t) => {
      if (t !== last) stream.write(`… ${t}\n`);
      last = t;
    },
    stop: () => undefined,
    succeed: (t) => stream.write(`✔ ${t}\n`),
    fail: (t) => stream.write(`✖ ${t}\n`),
    info: (t) => stream.write(`ℹ ${t}\n`),
  };
}
