import { RequestTimeoutError } from './wire-errors.ts';

/** How often overdue requests are looked for; a whole-request timeout fires at most this late. Units: ms. */
const SWEEP_MS = 50;

/** A request that can be ended from outside: by its deadline, the run's abort or the client's close. */
export interface Abortable {
  /** On the performance clock. Units: ms. */
  readonly deadline: number;
  readonly timeoutMs: number;
  abort(err: Error): void;
}

/**
 * The requests of one client that have not finished. One sweeper timer bounds every request's
 * whole duration, and one listener on the run's signal aborts them all, instead of a timer and a
 * listener per request.
 */
export class InFlight {
  private readonly requests = new Set<Abortable>();
  private timer: NodeJS.Timeout | null = null;

  add(r: Abortable): void {
    this.requests.add(r);
    if (this.timer === null) {
      this.timer = setInterval(() => this.sweep(performance.now()), SWEEP_MS);
      this.timer.unref();
    }
  }

  delete(r: Abortable): void {
    this.requests.delete(r);
  }

  get size(): number {
    return this.requests.size;
  }

  abortAll(err: Error): void {
    for (const r of [...this.requests]) r.abort(err);
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private sweep(now: number): void {
    for (const r of this.requests) if (now >= r.deadline) r.abort(new RequestTimeoutError(r.timeoutMs));
  }
}
