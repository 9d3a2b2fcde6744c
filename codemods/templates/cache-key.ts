/**
 * Cache keys of lib/genie's cache (both stores): parts joined by ':', long parts hashed, the whole bounded.
 */
import { createHash } from 'node:crypto';

/** Parts longer than this are replaced by their hash, so a 10 KB question never becomes a 10 KB key. */
const MAX_PART_LENGTH = 64;
export const MAX_KEY_LENGTH = 256;

function partToString(part: unknown): string {
  if (typeof part === 'string') return part;
  if (part === undefined) return 'undefined';
  if (typeof part === 'bigint') return part.toString();
  try {
    return JSON.stringify(part, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? String(part);
  } catch {
    return String(part);
  }
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

/**
 * Builds a key from its parts, joined by ':' (a ':' or '%' inside a part is escaped so parts cannot run
 * together). A long part is replaced by `#` + its SHA-256, and the whole key never exceeds 256 characters.
 */
export function cacheKey(...parts: unknown[]): string {
  const encoded = parts.map((part) => {
    const text = partToString(part);
    if (text.length > MAX_PART_LENGTH) return `#${sha256(text)}`;
    return text.replace(/%/g, '%25').replace(/:/g, '%3A');
  });
  const key = encoded.join(':');
  if (key.length <= MAX_KEY_LENGTH) return key;
  // Many parts: keep the first (the namespace, so invalidate('ns') still works) and hash the rest.
  return `${encoded[0]}:#${sha256(encoded.slice(1).join(':'))}`;
}
