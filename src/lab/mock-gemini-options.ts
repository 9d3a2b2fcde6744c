/** The mock's options and their defaults, in one place (the command's flags and the lab's config feed them). */
import { MOCK_GEMINI_DEFAULTS } from './defaults.ts';
import { configureFaults, type MockGeminiFaults } from './mock-gemini-faults.ts';

export type { MockGeminiFaults } from './mock-gemini-faults.ts';

export interface MockGeminiOptions extends MockGeminiFaults {
  /** 0 = a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Generate requests in flight at once (a stream counts until its body ends or the client leaves). Default 10. */
  maxConcurrent?: number;
  /** Accepted requests per sliding window. Default 200. */
  requestsPerWindow?: number;
  /** Units: milliseconds. Default 60_000. */
  windowMs?: number;
  /** Accepted requests per day; over it, 429 with a PerDay quotaId. Default: no day limit. */
  perDayQuota?: number;
  /** Smallest RetryInfo retryDelay advertised, seconds; fractional allowed ("1.5s"). Default 1. */
  retryDelaySec?: number;
  /** Time to first token, milliseconds. Default 300. */
  ttftMs?: number;
  /** Delay between streamed events of a normal reply, milliseconds. Default 20. */
  tokenDelayMs?: number;
  /** Text per event for normal replies. Default 24. */
  chunkChars?: number;
  /** When set, requests must carry it (?key= or x-goog-api-key): missing → 403, wrong → 400. */
  apiKey?: string;
  /**
   * What ends each SSE event. Default "\r\n\r\n", as Google's SSE reportedly does: an app that splits
   * on "\n\n" only must break here, not first in production.
   */
  separator?: '\n\n' | '\r\n\r\n';
}

export type Config = Required<Omit<MockGeminiOptions, 'perDayQuota' | 'apiKey' | keyof MockGeminiFaults>> &
  Pick<MockGeminiOptions, 'perDayQuota' | 'apiKey'> & { faults: ReturnType<typeof configureFaults> };

export function configure(opts: MockGeminiOptions): Config {
  const d = MOCK_GEMINI_DEFAULTS;
  return {
    port: opts.port ?? 0,
    host: opts.host ?? d.host,
    maxConcurrent: opts.maxConcurrent ?? d.maxConcurrent,
    requestsPerWindow: opts.requestsPerWindow ?? d.requestsPerWindow,
    windowMs: opts.windowMs ?? d.windowMs,
    perDayQuota: opts.perDayQuota,
    retryDelaySec: opts.retryDelaySec ?? d.retryDelaySec,
    ttftMs: opts.ttftMs ?? d.ttftMs,
    tokenDelayMs: opts.tokenDelayMs ?? d.tokenDelayMs,
    chunkChars: Math.max(1, opts.chunkChars ?? d.chunkChars),
    apiKey: opts.apiKey,
    separator: opts.separator ?? '\r\n\r\n',
    faults: configureFaults(opts),
  };
}

/**
 * `lab up --gemini-faults <list>`: the mock's Google-like faults as one comma-separated list, e.g.
 * `mid-stream-error-rate=0.2,overloaded-rate=0.1,max-output-tokens=200,non-json-stream-errors,lf`.
 * Names match `genie-fix mock-gemini`'s flags. Throws a RangeError naming the bad entry.
 */
export function parseGeminiFaults(list: string): MockGeminiFaults & Pick<MockGeminiOptions, 'separator'> {
  const out: MockGeminiFaults & Pick<MockGeminiOptions, 'separator'> = {};
  const fraction = (name: string, raw: string | undefined) => {
    const v = raw !== undefined && /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : NaN;
    if (!(v >= 0 && v <= 1)) throw new RangeError(`${name} needs a fraction from 0 to 1 (${name}=0.1), got "${raw ?? ''}"`);
    return v;
  };
  const whole = (name: string, raw: string | undefined) => {
    const v = raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`${name} needs a whole number ≥ 1 (${name}=2), got "${raw ?? ''}"`);
    return v;
  };
  for (const entry of list.split(',').map((e) => e.trim()).filter(Boolean)) {
    const [name, raw] = entry.split('=', 2) as [string, string | undefined];
    switch (name) {
      case 'overloaded-rate': out.overloadedRate = fraction(name, raw); break;
      case 'mid-stream-error-rate': out.midStreamErrorRate = fraction(name, raw); break;
      case 'mid-stream-error-after': out.midStreamErrorAfterChunks = whole(name, raw); break;
      case 'max-output-tokens': out.maxOutputTokens = whole(name, raw); break;
      case 'non-json-stream-errors': out.nonJsonStreamErrors = true; break;
      case 'lf': out.separator = '\n\n'; break;
      case 'crlf': out.separator = '\r\n\r\n'; break;
      default:
        throw new RangeError(
          `unknown fault "${name}"; choose from overloaded-rate=, mid-stream-error-rate=, mid-stream-error-after=, max-output-tokens=, non-json-stream-errors, lf, crlf`,
        );
    }
  }
  return out;
}
