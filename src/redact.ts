/**
 * Secrets never reach output, reports or logs. Everything printed or written goes through here.
 * Known secrets (passwords from config, cookies) are registered at runtime; URL passwords,
 * API keys in query strings and cookie headers are caught by pattern.
 */
const known = new Set<string>();

export function registerSecret(value: string | undefined | null): void {
  if (value && value.length >= 4) known.add(value);
}

export function clearSecrets(): void {
  known.clear();
}

const patterns: Array<[RegExp, string]> = [
  // postgres://user:password@host → postgres://user:***@host. The password runs to the last "@"
  // of the word: an unencoded "/", "#" or "@" in it must not leave its tail printed.
  [/([a-z][a-z0-9+.-]*:\/\/[^:/?#\s@]+:)([^\s"'<>]*)(@)/gi, '$1***$3'],
  // libpq key=value settings: password=secret or password='a secret' (also PGPASSWORD=…).
  [/(password\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&"';,]+)/gi, '$1***'],
  // ?key=AIza… or &api_key=…
  [/([?&](?:key|api_key|apikey|token)=)([^&\s"']+)/gi, '$1***'],
  [/((?:cookie|set-cookie|authorization|x-goog-api-key)\s*[:=]\s*)([^\n"]+)/gi, '$1***'],
  [/AIza[0-9A-Za-z_-]{20,}/g, '***'],
];

export function redact(text: string): string {
  let out = text;
  for (const secret of known) out = out.split(secret).join('***');
  for (const [re, rep] of patterns) out = out.replace(re, rep);
  return out;
}

/** Deep-redacts a JSON-able value (report objects) by round-tripping strings through `redact`. */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v);
    return out as T;
  }
  return value;
}
