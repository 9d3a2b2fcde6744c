import type { Ora } from 'ora';
import { spinnerUsable, startSpinner, stderrColor as chalk } from '../terminal.ts';

/**
 * A visible step list: each step shows a spinner with its elapsed time while it runs and a tick or
 * cross with the final time after. Output goes to stderr so `--json` stdout stays machine-readable.
 */
export interface StepRunner {
  step<T>(title: string, fn: (update: (detail: string) => void) => Promise<T>): Promise<T>;
  readonly timings: Array<{ title: string; ms: number; ok: boolean }>;
}

export function createStepRunner(opts: { interactive?: boolean; stream?: NodeJS.WriteStream } = {}): StepRunner {
  const stream = opts.stream ?? process.stderr;
  const interactive = opts.interactive ?? spinnerUsable(stream);
  const timings: StepRunner['timings'] = [];
  const fmt = (ms: number) => (ms < 60_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`);

  return {
    timings,
    async step(title, fn) {
      const started = Date.now();
      let detail = '';
      let spinner: Ora | undefined;
      let ticker: NodeJS.Timeout | undefined;
      const render = () => `${title} ${chalk.dim(fmt(Date.now() - started))}${detail ? chalk.dim(` · ${detail}`) : ''}`;
      if (interactive) {
        spinner = startSpinner(render(), stream);
        ticker = setInterval(() => spinner && (spinner.text = render()), 500);
      } else {
        stream.write(`… ${title}\n`);
      }
      const update = (d: string) => {
        detail = d;
        if (spinner) spinner.text = render();
      };
      try {
        const result = await fn(update);
        const ms = Date.now() - started;
        timings.push({ title, ms, ok: true });
        detail = '';
        if (spinner) spinner.succeed(`${title} ${chalk.dim(fmt(ms))}`);
        else stream.write(`✔ ${title} (${fmt(ms)})\n`);
        return result;
      } catch (err) {
        const ms = Date.now() - started;
        timings.push({ title, ms, ok: false });
        if (spinner) spinner.fail(`${title} ${chalk.dim(fmt(ms))}`);
        else stream.write(`✖ ${title} (${fmt(ms)})\n`);
        throw err;
      } finally {
        if (ticker) clearInterval(ticker);
      }
    },
  };
}
