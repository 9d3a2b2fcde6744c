import type { Command } from 'commander';
import { UsageError } from '../errors.ts';
import { MOCK_GEMINI_DEFAULTS } from '../lab/defaults.ts';
import { parseInteger } from './options.ts';
import { startMockGemini, type MockGeminiOptions } from '../lab/mock-gemini.ts';

interface Flags {
  port: string;
  host: string;
  maxConcurrent?: string;
  rpm?: string;
  windowMs?: string;
  retryDelay?: string;
  ttftMs?: string;
  tokenDelayMs?: string;
  perDay?: string;
  chunkChars?: string;
  crlf?: boolean;
  lf?: boolean;
  overloadedRate?: string;
  midStreamErrorRate?: string;
  midStreamErrorAfter?: string;
  maxOutputTokens?: string;
  nonJsonStreamErrors?: boolean;
  json?: boolean;
}

/** A fraction from 0 to 1 from a flag, or a UsageError naming the flag. */
function fraction(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = /^\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!(value >= 0 && value <= 1)) throw new UsageError(`${flag} must be a fraction from 0 to 1 (e.g. 0.1), got "${raw}"`);
  return value;
}

function integer(flag: string, raw: string | undefined, min: number, max?: number): number | undefined {
  return raw === undefined ? undefined : parseInteger(flag, raw, { min, max });
}

function seconds(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = /^\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isFinite(value) || value <= 0 || value > 86_400) {
    throw new UsageError(`${flag} must be a number of seconds above 0 (e.g. 1 or 1.5), got "${raw}"`);
  }
  return value;
}

function separatorFrom(flags: Flags): '\n\n' | '\r\n\r\n' {
  if (flags.crlf && flags.lf) throw new UsageError('--crlf and --lf contradict each other', 'leave out --crlf: \\r\\n\\r\\n is the default');
  return flags.lf ? '\n\n' : '\r\n\r\n';
}

/** Turns the flags into server options; every bad value is reported by name. */
export function optionsFromFlags(flags: Flags): MockGeminiOptions {
  return {
    port: integer('--port', flags.port, 0, 65_535),
    host: flags.host,
    maxConcurrent: integer('--max-concurrent', flags.maxConcurrent, 1),
    requestsPerWindow: integer('--rpm', flags.rpm, 1),
    windowMs: integer('--window-ms', flags.windowMs, 1),
    retryDelaySec: seconds('--retry-delay', flags.retryDelay),
    ttftMs: integer('--ttft-ms', flags.ttftMs, 0, 600_000),
    tokenDelayMs: integer('--token-delay-ms', flags.tokenDelayMs, 0, 60_000),
    perDayQuota: integer('--per-day', flags.perDay, 1),
    chunkChars: integer('--chunk-chars', flags.chunkChars, 1, 1_000_000),
    separator: separatorFrom(flags),
    overloadedRate: fraction('--overloaded-rate', flags.overloadedRate),
    midStreamErrorRate: fraction('--mid-stream-error-rate', flags.midStreamErrorRate),
    midStreamErrorAfterChunks: integer('--mid-stream-error-after', flags.midStreamErrorAfter, 1, 1_000_000),
    maxOutputTokens: integer('--max-output-tokens', flags.maxOutputTokens, 1),
    nonJsonStreamErrors: flags.nonJsonStreamErrors,
    // The key, when wanted, comes from the environment so it never shows in `ps`.
    apiKey: process.env.GENIE_MOCK_GEMINI_API_KEY || undefined,
  };
}

/** Serves until SIGINT or SIGTERM, then closes the server and returns. */
export async function runMockGemini(flags: Flags): Promise<void> {
  const options = optionsFromFlags(flags);
  const mock = await startMockGemini(options).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'EADDRINUSE' || err.code === 'EACCES') {
      throw new UsageError(`cannot listen on ${options.host}:${options.port} (${err.code})`, 'pick another --port, or 0 for a free one');
    }
    // --host must be an address of this machine (127.0.0.1, 0.0.0.0, one of its interfaces).
    if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') {
      throw new UsageError(`cannot listen on --host ${options.host}: not an address of this machine (${err.code})`, 'use 127.0.0.1, 0.0.0.0 or one of this machine\'s addresses');
    }
    throw err;
  });
  if (flags.json) process.stdout.write(JSON.stringify({ url: mock.url, port: mock.port }) + '\n');
  else {
    process.stdout.write(`${mock.url}\n`);
    process.stderr.write(
      `mock Gemini listening (stream: POST ${mock.url}/v1beta/models/<model>:streamGenerateContent?alt=sse); Ctrl-C to stop\n`,
    );
  }
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  const { requests, accepted, rejected429, maxInFlight } = mock.stats();
  await mock.close();
  process.stderr.write(`mock Gemini stopped: ${requests} requests, ${accepted} accepted, ${rejected429} answered 429, peak ${maxInFlight} in flight\n`);
}

export function register(program: Command): void {
  program
    .command('mock-gemini')
    .description("serve a stand-in for Gemini's REST API with a configurable quota (429 RESOURCE_EXHAUSTED like Google)")
    .requiredOption('--port <port>', 'port to listen on (0 = a free port)')
    .option('--host <host>', 'address of this machine to listen on', MOCK_GEMINI_DEFAULTS.host)
    .option('--max-concurrent <n>', `generate requests in flight at once before 429 (default ${MOCK_GEMINI_DEFAULTS.maxConcurrent})`)
    .option('--rpm <n>', `accepted requests per window before 429 (default ${MOCK_GEMINI_DEFAULTS.requestsPerWindow})`)
    .option('--window-ms <ms>', `length of the request window in milliseconds (default ${MOCK_GEMINI_DEFAULTS.windowMs})`)
    .option('--retry-delay <seconds>', `smallest retryDelay advertised in 429s, fractional allowed (default ${MOCK_GEMINI_DEFAULTS.retryDelaySec})`)
    .option('--ttft-ms <ms>', `time to first token in milliseconds (default ${MOCK_GEMINI_DEFAULTS.ttftMs})`)
    .option('--token-delay-ms <ms>', `delay between streamed events in milliseconds (default ${MOCK_GEMINI_DEFAULTS.tokenDelayMs})`)
    .option('--per-day <n>', 'accepted requests per day before a PerDay 429 (default: no limit)')
    .option('--chunk-chars <n>', `text per streamed event for normal replies (default ${MOCK_GEMINI_DEFAULTS.chunkChars})`)
    .option('--crlf', 'end SSE events with \\r\\n\\r\\n, as Google reportedly does (the default)')
    .option('--lf', 'end SSE events with \\n\\n instead')
    .option('--overloaded-rate <fraction>', 'answer this share of requests 503 "model overloaded" (0-1, default 0)')
    .option('--mid-stream-error-rate <fraction>', 'cut this share of 200 streams with an error event (0-1, default 0)')
    .option('--mid-stream-error-after <chunks>', 'chunks sent before a mid-stream error (default 2)')
    .option('--max-output-tokens <n>', 'stop longer replies with finishReason MAX_TOKENS (default: no cap)')
    .option('--non-json-stream-errors', 'send 429/503 answers to streaming requests as text/event-stream, not JSON')
    .option('--json', 'print {"url","port"} as JSON on stdout')
    .addHelpText('after', '\nSet GENIE_MOCK_GEMINI_API_KEY to require that key (?key= or x-goog-api-key) like Google does.')
    .action((flags: Flags) => runMockGemini(flags));
}
