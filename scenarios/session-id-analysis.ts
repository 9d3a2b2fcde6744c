/**
 * Is a set of session ids guessable? Pure functions over the ids a run collected (never printed:
 * the ids are secrets; only their shape and statistics leave this module).
 *
 * Two estimates, the lower one counts:
 * - alphabet: log2(alphabet size) × length, an upper bound that assumes every char is random;
 * - empirical: per-position Shannon entropy across the sample (Miller–Madow corrected, capped at
 *   the alphabet's), summed, where segments recognised as a timestamp, the user id or a counter
 *   count zero: a clock or a known number is not randomness however much its digits vary.
 * Structure (timestamp, user id, monotonic counter) is a failure on its own, whatever the bits.
 */

export interface IssuedId {
  value: string;
  /** The user id the login answered with, when known. */
  userId?: string;
  /** When the response arrived (Date.now()). Units: ms since the epoch. */
  receivedAt: number;
}

export type Alphabet = 'hex' | 'base64url' | 'base64' | 'other';

export interface SessionIdAnalysis {
  sessions: number;
  distinct: number;
  duplicates: number;
  minLength: number;
  maxLength: number;
  alphabet: Alphabet;
  alphabetEntropyBits: number;
  empiricalEntropyBits: number;
  /** min(alphabet, empirical): the `entropyBits` metric the preset judges. */
  entropyBits: number;
  /** The ids' shape with the values left out, e.g. `<timestamp-ms>-<hex×32>-<user-id>`. */
  shape: string;
  commonPrefixLength: number;
  timestampEmbedded: boolean;
  userIdEmbedded: boolean;
  monotonicSegment: boolean;
  /** Positions (of the aligned sample) where one char covers ≥ 90 % of ids. */
  lowVariabilityPositions: number;
  structure: string[];
}

const ALPHABET_SIZE: Record<Alphabet, number> = { hex: 16, base64url: 64, base64: 64, other: 95 };
const SEPARATORS = /[-_.:|]/;
/** A clock reading within a day of the run counts as a timestamp. */
const CLOCK_WINDOW_MS = 24 * 3600_000;

export function alphabetOf(ids: readonly string[]): Alphabet {
  if (ids.every((s) => /^[0-9a-f]+$/.test(s)) || ids.every((s) => /^[0-9A-F]+$/.test(s))) return 'hex';
  if (ids.every((s) => /^[A-Za-z0-9_-]+$/.test(s))) return 'base64url';
  if (ids.every((s) => /^[A-Za-z0-9+/]+={0,2}$/.test(s))) return 'base64';
  return 'other';
}

/** Shannon entropy of one position's chars with the Miller–Madow small-sample correction. Units: bits. */
export function positionEntropy(chars: readonly string[]): number {
  const counts = new Map<string, number>();
  for (const c of chars) counts.set(c, (counts.get(c) ?? 0) + 1);
  const n = chars.length;
  if (n <= 1) return 0;
  let h = 0;
  for (const k of counts.values()) h -= (k / n) * Math.log2(k / n);
  if (counts.size <= 1) return 0;
  return h + (counts.size - 1) / (2 * n * Math.LN2);
}

function commonPrefix(ids: readonly string[]): number {
  if (ids.length < 2) return 0;
  const first = ids[0]!;
  let i = 0;
  while (i < first.length && ids.every((s) => s[i] === first[i])) i++;
  return i;
}

function isClock(text: string, around: number): boolean {
  if (!/^\d+$/.test(text)) return false;
  const v = Number(text);
  if (text.length === 13) return Math.abs(v - around) <= CLOCK_WINDOW_MS;
  if (text.length === 10) return Math.abs(v * 1000 - around) <= CLOCK_WINDOW_MS;
  return false;
}

/** Kendall's tau between a numeric segment and the order responses arrived in (−1…1). */
function orderCorrelation(values: readonly number[]): number {
  let concordant = 0;
  let discordant = 0;
  // Bounded: at most 400 values (80 k pairs).
  const v = values.slice(0, 400);
  for (let i = 0; i < v.length; i++) {
    for (let j = i + 1; j < v.length; j++) {
      if (v[j]! > v[i]!) concordant++;
      else if (v[j]! < v[i]!) discordant++;
    }
  }
  const pairs = concordant + discordant;
  return pairs === 0 ? 0 : (concordant - discordant) / pairs;
}

function segmentKind(values: readonly string[], userIds: ReadonlyArray<string | undefined>, now: number): 'timestamp' | 'user-id' | 'counter' | 'random' {
  const clockLike = values.filter((v) => isClock(v, now)).length;
  if (clockLike >= values.length * 0.5) return 'timestamp';
  const withUser = values.map((v, i) => [v, userIds[i]] as const).filter(([, u]) => u !== undefined);
  if (withUser.length > 0 && withUser.filter(([v, u]) => v === u).length >= withUser.length * 0.5) return 'user-id';
  if (values.length >= 5 && values.every((v) => /^\d{1,15}$/.test(v)) && orderCorrelation(values.map(Number)) > 0.5) return 'counter';
  return 'random';
}

function describeChars(values: readonly string[]): string {
  const alpha = alphabetOf(values);
  const lens = values.map((v) => v.length);
  const min = Math.min(...lens);
  const max = Math.max(...lens);
  const len = min === max ? `${min}` : `${min}-${max}`;
  if (values.every((v) => /^\d+$/.test(v))) return `<digits×${len}>`;
  return `<${alpha}×${len}>`;
}

/** Sum of per-position entropy over the positions every value has, capped per position. */
function empiricalBits(values: readonly string[], capPerChar: number): { bits: number; lowVariability: number } {
  if (values.length === 0) return { bits: 0, lowVariability: 0 };
  const len = Math.min(...values.map((v) => v.length));
  let bits = 0;
  let low = 0;
  for (let p = 0; p < len; p++) {
    const chars = values.map((v) => v[p]!);
    bits += Math.min(capPerChar, positionEntropy(chars));
    const top = Math.max(...[...new Set(chars)].map((c) => chars.filter((x) => x === c).length));
    if (top >= chars.length * 0.9) low++;
  }
  return { bits, lowVariability: low };
}

export function analyzeSessionIds(issued: readonly IssuedId[], now = Date.now()): SessionIdAnalysis {
  const ordered = [...issued].sort((a, b) => a.receivedAt - b.receivedAt);
  const ids = ordered.map((i) => i.value);
  const userIds = ordered.map((i) => i.userId);
  const distinct = new Set(ids).size;
  const lengths = ids.map((s) => s.length);
  const alphabet = alphabetOf(ids);
  const cap = Math.log2(ALPHABET_SIZE[alphabet]);
  const medianLength = [...lengths].sort((a, b) => a - b)[Math.floor(lengths.length / 2)] ?? 0;
  const alphabetEntropyBits = Math.round(cap * medianLength * 10) / 10;
  const structure: string[] = [];

  // Segments: a separator-delimited layout counts only when (nearly) every id shares it; random
  // base64url ids contain '-' and '_' by chance, so their segment counts differ from id to id.
  const split = ids.map((s) => s.split(SEPARATORS));
  const countFreq = new Map<number, number>();
  for (const parts of split) countFreq.set(parts.length, (countFreq.get(parts.length) ?? 0) + 1);
  const [modalCount, modalFreq] = [...countFreq].sort((a, b) => b[1] - a[1])[0] ?? [1, 0];
  const segmented = modalCount >= 2 && modalFreq >= ids.length * 0.95 && ids.length >= 2;

  let empirical = 0;
  let lowVariability = 0;
  let timestampEmbedded = false;
  let userIdEmbedded = false;
  let monotonicSegment = false;
  let shape: string;
  if (segmented) {
    const rows = split.map((parts, i) => ({ parts, userId: userIds[i] })).filter((r) => r.parts.length === modalCount);
    const seps = ids.find((s) => s.split(SEPARATORS).length === modalCount)!.match(new RegExp(SEPARATORS, 'g')) ?? [];
    const pieces: string[] = [];
    for (let k = 0; k < modalCount; k++) {
      const values = rows.map((r) => r.parts[k]!);
      const kind = segmentKind(values, rows.map((r) => r.userId), now);
      if (kind === 'timestamp') timestampEmbedded = true;
      if (kind === 'user-id') userIdEmbedded = true;
      if (kind === 'counter') monotonicSegment = true;
      const e = empiricalBits(values, Math.log2(ALPHABET_SIZE[alphabetOf(values)]));
      lowVariability += e.lowVariability;
      if (kind === 'random') empirical += e.bits;
      pieces.push(kind === 'timestamp' ? '<timestamp>' : kind === 'user-id' ? '<user-id>' : kind === 'counter' ? '<counter>' : describeChars(values));
      if (k < seps.length) pieces.push(seps[k]!);
    }
    shape = pieces.join('');
  } else {
    const e = empiricalBits(ids, cap);
    empirical = e.bits;
    lowVariability = e.lowVariability;
    shape = describeChars(ids);
    // Unsegmented ids can still carry a clock: a 13-digit run within a day of now.
    const clockRuns = ids.filter((s) => (s.match(/\d{13}/g) ?? []).some((run) => isClock(run, now))).length;
    if (ids.length > 0 && clockRuns >= ids.length * 0.5) timestampEmbedded = true;
  }
  if (timestampEmbedded) structure.push('a Date.now()-like timestamp is embedded');
  if (userIdEmbedded) structure.push('the user id is embedded');
  if (monotonicSegment) structure.push('a numeric segment grows with time (a counter)');
  const commonPrefixLength = commonPrefix(ids);
  const empiricalEntropyBits = Math.round(empirical * 10) / 10;
  return {
    sessions: ids.length,
    distinct,
    duplicates: ids.length - distinct,
    minLength: lengths.length ? Math.min(...lengths) : 0,
    maxLength: lengths.length ? Math.max(...lengths) : 0,
    alphabet,
    alphabetEntropyBits,
    empiricalEntropyBits,
    entropyBits: Math.min(alphabetEntropyBits, empiricalEntropyBits),
    shape,
    commonPrefixLength,
    timestampEmbedded,
    userIdEmbedded,
    monotonicSegment,
    lowVariabilityPositions: lowVariability,
    structure,
  };
}
