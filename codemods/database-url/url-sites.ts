/**
 * Every place an app sets DATABASE_URL outside its code: `.env*` and example env files, docker-compose
 * `environment:` entries (map or list), and vercel.json `env`. Each site is the exact character range of the URL
 * in its file, so an edit replaces the URL and nothing else: quotes, comments, line endings and the rest of the
 * YAML/JSON stay byte-identical (these files are never parsed and reprinted).
 */
import type { CodemodContext } from '../types.ts';

export interface UrlSite {
  /** App-relative file. */
  rel: string;
  /** 1-based line of the URL. */
  line: number;
  /** Character offsets of the URL in the file text. */
  start: number;
  end: number;
  value: string;
}

/** `.env`, `.env.local`, `.env.example`, `env.example`, `example.env`, `production.env`; never code (`env.ts`). */
const ENV_FILE = /^(?:\.?env(?:\.[\w.-]+)?|[\w.-]+\.env)$/;
const CODE_FILE = /\.(?:[cm]?[jt]sx?|json|ya?ml|md|toml)$/;
export const COMPOSE_FILE = /^(?:docker-)?compose(?:\.[\w-]+)?\.ya?ml$/;

/** Where a line starts, for each line of a text split on '\n'. */
function lineStarts(lines: string[]): number[] {
  const out: number[] = [];
  let at = 0;
  for (const l of lines) {
    out.push(at);
    at += l.length + 1;
  }
  return out;
}

/** A value after `=` or `: `: quoted (up to the closing quote) or bare (up to a ` #` comment); offset is within `rest`. */
function scalar(rest: string): { offset: number; value: string } | undefined {
  const quote = rest[0] === '"' || rest[0] === "'" ? rest[0] : '';
  if (quote) {
    const close = rest.indexOf(quote, 1);
    if (close < 0) return undefined;
    const value = rest.slice(1, close);
    // YAML/dotenv escapes (\" or '') would make offsets and the value differ: not ours to rewrite.
    if (value.includes('\\')) return undefined;
    return { offset: 1, value };
  }
  const comment = /\s+#/.exec(rest);
  const value = (comment ? rest.slice(0, comment.index) : rest).trimEnd();
  return value ? { offset: 0, value } : undefined;
}

function envSites(rel: string, text: string): UrlSite[] {
  const lines = text.split('\n');
  const starts = lineStarts(lines);
  const sites: UrlSite[] = [];
  lines.forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const m = /^(\s*(?:export\s+)?DATABASE_URL\s*=\s*)(.*)$/.exec(line);
    if (!m) return;
    const s = scalar(m[2]!);
    if (!s) return;
    const start = starts[i]! + m[1]!.length + s.offset;
    sites.push({ rel, line: i + 1, start, end: start + s.value.length, value: s.value });
  });
  return sites;
}

const indentWidth = (line: string): number => /^[ \t]*/.exec(line)![0].length;
const isBlankOrComment = (line: string): boolean => /^\s*(?:#.*)?$/.test(line);

/** Whether line i sits in an `environment:` block (the nearest parent key), as a map entry or a list item. */
function underEnvironment(lines: string[], i: number, listItem: boolean): boolean {
  const own = indentWidth(lines[i]!);
  for (let j = i - 1; j >= 0; j--) {
    const l = lines[j]!.replace(/\r$/, '');
    if (isBlankOrComment(l)) continue;
    const w = indentWidth(l);
    // Siblings (other variables) and anything nested deeper are not the parent.
    if (w > own) continue;
    // A list may sit at its key's own indent (`environment:` then `- A=1` unindented): skip sibling items.
    if (w === own && (!listItem || /^\s*-\s/.test(l))) continue;
    return /^\s*environment\s*:\s*(?:#.*)?$/.test(l);
  }
  return false;
}

function composeSites(rel: string, text: string): UrlSite[] {
  const lines = text.split('\n');
  const starts = lineStarts(lines);
  const sites: UrlSite[] = [];
  lines.forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    // `- DATABASE_URL=…` or `- "DATABASE_URL=…"`
    const item = /^(\s*-\s+)(["']?)(DATABASE_URL=)(.*)$/.exec(line);
    if (item && underEnvironment(lines, i, true)) {
      const [, head, quote, key, rest] = item as unknown as [string, string, string, string, string];
      let value: string;
      if (quote) {
        const close = rest.indexOf(quote);
        if (close < 0 || rest.slice(0, close).includes('\\')) return;
        value = rest.slice(0, close);
      } else {
        const s = scalar(rest);
        if (!s || s.offset) return;
        value = s.value;
      }
      const start = starts[i]! + head.length + quote.length + key.length;
      sites.push({ rel, line: i + 1, start, end: start + value.length, value });
      return;
    }
    // `DATABASE_URL: …` (the key may be quoted)
    const entry = /^(\s*(["']?)DATABASE_URL\2\s*:[ \t]+)(.*)$/.exec(line);
    if (entry && underEnvironment(lines, i, false)) {
      const s = scalar(entry[3]!);
      if (!s || /^[|>]/.test(s.value)) return;
      const start = starts[i]! + entry[1]!.length + s.offset;
      sites.push({ rel, line: i + 1, start, end: start + s.value.length, value: s.value });
    }
  });
  return sites;
}

/** vercel.json `env` / `build.env` DATABASE_URL, located in the text and checked against the parsed JSON. */
function vercelSites(rel: string, text: string): UrlSite[] {
  let parsed: { env?: Record<string, unknown>; build?: { env?: Record<string, unknown> } };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    return [];
  }
  const values = new Set([parsed.env?.DATABASE_URL, parsed.build?.env?.DATABASE_URL].filter((v): v is string => typeof v === 'string'));
  const sites: UrlSite[] = [];
  for (const m of text.matchAll(/"DATABASE_URL"\s*:\s*"([^"\\]*)"/g)) {
    const value = m[1]!;
    if (!values.has(value)) continue;
    const start = m.index + m[0].length - 1 - value.length;
    sites.push({ rel, line: text.slice(0, start).split('\n').length, start, end: start + value.length, value });
  }
  return sites;
}

/** Every DATABASE_URL set in the app folder's env, compose (also under docker/) and vercel.json files. */
export function findUrlSites(ctx: Pick<CodemodContext, 'listFiles' | 'readText'>): UrlSite[] {
  const sites: UrlSite[] = [];
  const files = [...ctx.listFiles('.'), ...ctx.listFiles('docker').filter((f) => COMPOSE_FILE.test(f.slice('docker/'.length)))];
  for (const rel of files) {
    const name = rel.split('/').pop()!;
    const kind = COMPOSE_FILE.test(name) ? 'compose' : name === 'vercel.json' ? 'vercel' : ENV_FILE.test(name) && !CODE_FILE.test(name) ? 'env' : undefined;
    if (!kind) continue;
    const text = ctx.readText(rel);
    if (text === undefined || !text.includes('DATABASE_URL')) continue;
    sites.push(...(kind === 'env' ? envSites(rel, text) : kind === 'compose' ? composeSites(rel, text) : vercelSites(rel, text)));
  }
  return sites;
}

/**
 * Why a URL is not one genie-fix sizes, or undefined for a concrete postgres:// URL. Every reason names what the
 * URL is, so the user knows where the real setting lives.
 */
export function whyNotSized(url: string): string | undefined {
  if (/\$\{|\$[A-Za-z_]/.test(url)) return 'DATABASE_URL is interpolated (${…}): the real URL is assembled elsewhere, size the pool where it is set';
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (!scheme) return 'DATABASE_URL holds no URL (a placeholder to fill in, or a secret reference): whoever sets the real URL sizes the pool';
  if (scheme === 'postgres' || scheme === 'postgresql') {
    // `[user]` is a placeholder; `[::1]` (hex digits and colons) is an IPv6 host.
    if (/<[^>]*>|\[[^\]]*[g-zG-Z_][^\]]*\]|:\/\/(?:USER(?:NAME)?|YOUR[\w-]*)(?::[\w-]*)?@|@(?:HOST|YOUR[\w-]*)(?:[:/]|$)|:PASSWORD@/.test(url)) {
      return 'DATABASE_URL is a placeholder (USER/PASSWORD/HOST or <…>), not a server: whoever fills it in sizes the pool for their deployment';
    }
    return undefined;
  }
  if (scheme === 'mysql' || scheme === 'mariadb') {
    return "a MySQL URL: Prisma ≤ 6 reads connection_limit and pool_timeout from MySQL URLs too, but genie-fix sizes pools only from a Postgres server's max_connections and Postgres poolers (it cannot read a MySQL server's limits), so it picks no size here: set connection_limit by hand";
  }
  if (scheme === 'file' || scheme === 'sqlite') return 'a SQLite file: URL: a local file, no database server whose connections can run out';
  if (scheme === 'sqlserver') return 'a SQL Server URL: its parameters are ;key=value pairs, not a ?query string, and genie-fix does not edit them';
  if (scheme === 'prisma' || scheme === 'prisma+postgres') return 'a Prisma Accelerate / Prisma Postgres URL: the pool lives in Prisma\'s service, not in the app';
  if (scheme === 'mongodb' || scheme === 'mongodb+srv') return 'a MongoDB URL: its driver pool (maxPoolSize) is not what this codemod sizes';
  return `DATABASE_URL is a ${scheme}: URL, not postgres://: its pool is not one this codemod sizes`;
}
