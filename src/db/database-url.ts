/**
 * `--database-url` in either form PostgreSQL documents: a URL (postgres://user:password@host:port/db)
 * or libpq key=value settings (host=… port=… user=… password=… dbname=…). Checked before the first
 * request, so a typo is a one-line usage error (exit 2) instead of a DNS lookup of "base" or a stack.
 * The password is registered as a secret the moment it is read.
 */
import type { ClientConfig } from 'pg';
import { UsageError } from '../errors.ts';
import { redact, registerSecret } from '../redact.ts';

const EXAMPLE = 'e.g. --database-url postgres://app@127.0.0.1:5432/app, or "host=127.0.0.1 port=5432 user=app dbname=app"';
const ENCODE = 'percent-encode / # ? @ : in the password: / is %2F, # is %23, @ is %40';

function fail(message: string, hint = EXAMPLE): never {
  throw new UsageError(`--database-url ${message}`, hint);
}

function port(raw: string): number {
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 65_535) fail(`has port ${raw}; a port is a whole number from 1 to 65535`);
  return n;
}

function fromUrl(raw: string): ClientConfig {
  if (!/^postgres(ql)?:\/\//i.test(raw)) fail(`must start with postgres:// or postgresql://, got ${redact(raw.replace(/:\/\/.*$/, '://…'))}`);
  // Read the authority by hand first: WHATWG URL reports "Invalid URL" for both a bad port and a stray "/" in the password.
  const authority = raw.replace(/^[a-z]+:\/\//i, '').split(/[/?#]/)[0] ?? '';
  const portMatch = /:(\d+)$/.exec(authority.replace(/^.*@/, ''));
  if (portMatch) port(portMatch[1]!);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    fail('is not a valid URL', ENCODE);
  }
  const rest = url.pathname + url.search + url.hash;
  // "user:pa#ss@host" parses as host "user" with a fragment: the password was cut at the reserved character.
  if (!url.username && raw.slice(raw.indexOf('://') + 3).includes('@') && (rest.includes('@') || !authority.includes('@'))) {
    registerSecret(raw.slice(raw.indexOf('://') + 3).split('@')[0]);
    fail('has a character in the password that ends the user:password part', ENCODE);
  }
  const password = url.password ? decodeURIComponent(url.password) : undefined;
  registerSecret(password);
  registerSecret(url.password);
  if (decodeURIComponent(url.pathname.replace(/^\//, '')).includes('/')) fail('has a "/" in the database name', ENCODE);
  // Valid: pg reads the URL itself (sslmode, sslcert and the other query settings included).
  return { connectionString: raw };
}

const KEYWORDS = new Set(['host', 'hostaddr', 'port', 'user', 'password', 'dbname', 'sslmode', 'connect_timeout', 'application_name', 'options']);

/** libpq key=value: values may be single-quoted with \' and \\ escapes. */
function fromKeyValue(raw: string): ClientConfig {
  const pairs = new Map<string, string>();
  const re = /\s*([a-z_]+)\s*=\s*(?:'((?:[^'\\]|\\.)*)'|([^\s']*))/giy;
  let match: RegExpExecArray | null;
  let end = 0;
  while ((match = re.exec(raw))) {
    const value = match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : match[3]!;
    pairs.set(match[1]!.toLowerCase(), value);
    end = re.lastIndex;
  }
  const password = pairs.get('password');
  registerSecret(password);
  if (pairs.size === 0 || raw.slice(end).trim() !== '') {
    fail(`is neither a postgres:// URL nor libpq key=value settings (got "${redact(raw)}")`);
  }
  const unknown = [...pairs.keys()].filter((k) => !KEYWORDS.has(k));
  if (unknown.length) fail(`has unknown setting ${unknown.join(', ')}; known: ${[...KEYWORDS].join(', ')}`);
  const sslmode = pairs.get('sslmode');
  return {
    host: pairs.get('host') ?? pairs.get('hostaddr'),
    port: pairs.has('port') ? port(pairs.get('port')!) : undefined,
    user: pairs.get('user'),
    password,
    database: pairs.get('dbname'),
    ...(sslmode && sslmode !== 'disable' ? { ssl: { rejectUnauthorized: sslmode === 'verify-full' } } : {}),
  };
}

/** A pg client config from --database-url, or a UsageError naming what is wrong and how to write it. */
export function parseDatabaseUrl(raw: string): ClientConfig {
  const value = raw.trim();
  if (!value) fail('is empty');
  return value.includes('://') ? fromUrl(value) : fromKeyValue(value);
}

/** How the target database is named in messages: host:port/dbname, never a credential. */
export function describeDatabase(config: ClientConfig): string {
  if (config.connectionString) return redact(config.connectionString);
  return `${config.host ?? 'localhost'}:${config.port ?? 5432}/${config.database ?? config.user ?? ''}`;
}
