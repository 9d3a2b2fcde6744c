/**
 * The one parser for integer flags. Strict on purpose: `--users ''` is not 0, `--users 0x10` is
 * not 16, `--users 1e3` is not 1000; the message names the flag, the allowed range and what was
 * given. Use it as commander's argParser: the default (a number) is not parsed, a given value is.
 */
import { UsageError } from '../errors.ts';

export interface IntRange {
  min: number;
  max?: number;
  /** A sensible value for the hint (default: min). */
  example?: number;
}

export function parseInteger(flag: string, raw: string, { min, max = Number.MAX_SAFE_INTEGER, example = min }: IntRange): number {
  const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `from ${min} to ${max}`;
    throw new UsageError(`${flag} must be an integer ${range}, got "${raw}"`, `e.g. ${flag} ${example}`);
  }
  return value;
}

/** An argParser for `.option(flag, description, intOption(flag, range), default)`. */
export function intOption(flag: string, range: IntRange): (raw: string) => number {
  return (raw) => parseInteger(flag, raw, range);
}
