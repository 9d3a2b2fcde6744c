/**
 * The quota a mock Gemini project enforces: requests per day, requests per sliding window, and
 * requests in flight at once. Only accepted requests count, as with Google.
 * Units: milliseconds for times, seconds for retry delays.
 */
export interface QuotaLimits {
  maxConcurrent: number;
  requestsPerWindow: number;
  windowMs: number;
  perDayQuota?: number;
  /** The smallest retry delay advertised, seconds. */
  retryDelaySec: number;
}

export type QuotaKind = 'day' | 'window' | 'concurrency';

export type Admission =
  | { ok: true; release: () => void }
  | { ok: false; kind: QuotaKind; /** exact seconds until a slot frees, for the message */ waitSec: number; /** what RetryInfo advertises */ retryDelaySec: number };

const DAY_MS = 86_400_000;

export class Quota {
  /** Accept times inside the current window, oldest first; `head` skips expired entries without shifting. */
  private accepted: number[] = [];
  private head = 0;
  private dayStart: number;
  private dayCount = 0;
  inFlight = 0;
  maxInFlight = 0;

  constructor(
    private readonly limits: QuotaLimits,
    private readonly now: () => number = Date.now,
  ) {
    this.dayStart = now();
  }

  /** Decides on one request; an accepted one holds a concurrency slot until `release` is called. */
  admit(): Admission {
    const now = this.now();
    const { limits } = this;
    if (now - this.dayStart >= DAY_MS) {
      this.dayStart = now;
      this.dayCount = 0;
    }
    if (limits.perDayQuota !== undefined && this.dayCount >= limits.perDayQuota) {
      const waitSec = (this.dayStart + DAY_MS - now) / 1000;
      // A day quota clears when the day turns; an honest delay says so, however long.
      return { ok: false, kind: 'day', waitSec, retryDelaySec: Math.max(limits.retryDelaySec, Math.ceil(waitSec)) };
    }
    this.expire(now);
    if (this.accepted.length - this.head >= limits.requestsPerWindow) {
      const oldest = this.accepted[this.head]!;
      const waitSec = Math.max(0, (oldest + limits.windowMs - now) / 1000);
      return { ok: false, kind: 'window', waitSec, retryDelaySec: Math.max(limits.retryDelaySec, Math.ceil(waitSec)) };
    }
    if (this.inFlight >= limits.maxConcurrent) {
      return { ok: false, kind: 'concurrency', waitSec: limits.retryDelaySec, retryDelaySec: limits.retryDelaySec };
    }
    this.accepted.push(now);
    this.dayCount++;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.inFlight--;
      },
    };
  }

  /** Forgets past usage (window, day), keeping requests still in flight. */
  reset(): void {
    this.accepted = [];
    this.head = 0;
    this.dayStart = this.now();
    this.dayCount = 0;
  }

  private expire(now: number): void {
    while (this.head < this.accepted.length && this.accepted[this.head]! <= now - this.limits.windowMs) this.head++;
    if (this.head > 1024 && this.head * 2 > this.accepted.length) {
      this.accepted = this.accepted.slice(this.head);
      this.head = 0;
    }
  }
}
