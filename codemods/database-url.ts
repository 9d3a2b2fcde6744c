/**
 * database-url: size the Prisma connection pool from the server's real capacity and how the app is deployed.
 * - Serverless (vercel.json, netlify.toml, …, or --deploy serverless): per-instance pools, 1 each unless
 *   --database-url and --instances size them from max_connections. A long-running server (Dockerfile, output
 *   'standalone', docker-compose, a custom server, or --deploy server) keeps its pool unless the server is known.
 *   Neither or both: nothing is written, the user is told which flags settle it.
 * - `.env*` files: add/replace connection_limit, pool_timeout, connect_timeout in DATABASE_URL, keeping quotes,
 *   comments, line endings, parameter order and every other parameter.
 * - `new PrismaPg({...})` (Prisma 7 driver adapter): the URL parameters are ignored there, so the pool options
 *   are read from the URL in code through lib/genie/pool-options.ts, with the old literals as fallbacks.
 */
import { Node, SyntaxKind } from 'ts-morph';
import { openDbProbe } from '../src/db/probe.ts';
import { redact } from '../src/redact.ts';
import { applyEdits, emptyResult, ensureNamedImport, eolOf, indentOf, noteAt, type Edit } from './ast.ts';
import { detectDeployKind, type DeployKind } from './lib/deploy-kind.ts';
import type { ChangeNote, Codemod, CodemodContext } from './types.ts';

/**
 * On a serverless deployment with nothing known about the server: 1 connection per instance, Prisma's advice for
 * serverless without an external pooler (each function instance serves one request at a time, so a bigger pool only multiplies
 * connections by the instance count). pool_timeout 10 s is Prisma's default made explicit; connect_timeout 10 s
 * (default 5) leaves room for a scaled-to-zero Neon compute to wake up.
 */
export const POOL_DEFAULTS = { connectionLimit: 1, poolTimeout: 10, connectTimeout: 10 };
/**
 * Connections kept free besides superuser_reserved_connections: one for a migration or psql session during an
 * incident, one for monitoring (pg_stat_activity sampling, diagnose --database-url).
 */
export const HEADROOM = 2;

export interface ServerCapacity {
  maxConnections: number;
  reserved: number;
}

/** Per-instance limit: floor((max_connections − reserved − headroom) / instances), at least 1. */
export function perInstanceLimit(cap: ServerCapacity, instances: number): number {
  return Math.max(1, Math.floor((cap.maxConnections - cap.reserved - HEADROOM) / Math.max(1, instances)));
}

/** Sets params in a URL's query string without reordering or re-encoding anything else. */
export function setUrlParams(url: string, params: Array<[string, string]>): string {
  const hashAt = url.indexOf('#');
  const hash = hashAt >= 0 ? url.slice(hashAt) : '';
  const body = hashAt >= 0 ? url.slice(0, hashAt) : url;
  const q = body.indexOf('?');
  const base = q >= 0 ? body.slice(0, q) : body;
  const parts = q >= 0 ? body.slice(q + 1).split('&').filter((p) => p !== '') : [];
  for (const [key, value] of params) {
    const i = parts.findIndex((p) => p.split('=')[0] === key);
    if (i >= 0) parts[i] = `${key}=${value}`;
    else parts.push(`${key}=${value}`);
  }
  return `${base}${parts.length ? `?${parts.join('&')}` : ''}${hash}`;
}

/** `DATABASE_URL=…` line → its parts; undefined for any other line. */
function parseEnvLine(line: string): { head: string; quote: string; value: string; tail: string } | undefined {
  const m = /^(\s*(?:export\s+)?DATABASE_URL\s*=\s*)(.*)$/.exec(line);
  if (!m) return undefined;
  const head = m[1]!;
  const rest = m[2]!;
  const quote = rest[0] === '"' || rest[0] === "'" ? rest[0] : '';
  if (quote) {
    const close = rest.indexOf(quote, 1);
    if (close < 0) return undefined;
    return { head, quote, value: rest.slice(1, close), tail: rest.slice(close + 1) };
  }
  const comment = /\s+#/.exec(rest);
  const value = comment ? rest.slice(0, comment.index) : rest.trimEnd();
  return { head, quote, value, tail: rest.slice(value.length) };
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}

const MEMO_URL =
  "the memo's connection_limit=50 is per Prisma client, i.e. per serverless instance: 50 × the instance count exceeds any small plan's max_connections (\"sorry, too many clients already\"); the limit must come from the server's max_connections divided by the instances, or from a pooled endpoint";
const MEMO_ADAPTER =
  'with @prisma/adapter-pg (Prisma 7) the URL parameters are not the pool settings at all: the pg Pool options are, so the memo\'s URL change would have had no effect';

/** The .env lines that set a postgres:// DATABASE_URL, and the ones left alone (interpolated, Accelerate). */
function envTargets(ctx: CodemodContext, result: ReturnType<typeof emptyResult>): Array<{ rel: string; lines: string[]; at: number[] }> {
  const targets: Array<{ rel: string; lines: string[]; at: number[] }> = [];
  for (const rel of ctx.listFiles('.').filter((f) => /^\.env(?:\.[\w.-]+)?$/.test(f))) {
    const text = ctx.readText(rel);
    if (text === undefined) continue;
    const lines = text.split('\n');
    const at: number[] = [];
    lines.forEach((raw, i) => {
      const parsed = parseEnvLine(raw.endsWith('\r') ? raw.slice(0, -1) : raw);
      if (!parsed) return;
      if (/^postgres(?:ql)?:\/\//.test(parsed.value)) at.push(i);
      else result.notes.push({ file: rel, line: i + 1, message: 'DATABASE_URL is not a postgres:// URL (interpolated or Accelerate): left alone' });
    });
    if (at.length) targets.push({ rel, lines, at });
  }
  return targets;
}

const FLAGS_HINT =
  'pass --deploy serverless --instances N (N = function instances at peak; add --database-url <url> to size from max_connections) or --deploy server --instances N (N = server processes) --database-url <url>, or --connection-limit N';

/** The per-instance limit, or why none is set: only what the deployment and the server prove, never a guess. */
async function decideLimit(ctx: CodemodContext): Promise<{ limit: number; why: string } | { skip: ChangeNote; needsHuman: boolean } | { failure: string }> {
  const opt = ctx.options;
  if (opt.connectionLimit !== undefined) return { limit: Number(opt.connectionLimit), why: 'from --connection-limit' };
  if (opt.deploy !== undefined && opt.deploy !== 'serverless' && opt.deploy !== 'server') return { failure: `--deploy must be serverless or server, got "${String(opt.deploy)}"` };
  const found = detectDeployKind(ctx.root);
  const kind = (opt.deploy as DeployKind | undefined) ?? found.kind;
  const evidence = opt.deploy ? `--deploy ${kind}` : [...found.serverless, ...found.server].join(', ');
  if (kind === 'unknown') {
    const what = evidence ? `found signs of both serverless (${found.serverless.join(', ')}) and a long-running server (${found.server.join(', ')})` : 'no vercel.json, netlify.toml, Dockerfile, docker-compose, output: standalone or custom server found';
    return { skip: { file: '.', message: `pool not sized: cannot tell how this app is deployed (${what}); a serverless pool (1 per instance) would starve a long-running server and a server's pool would exhaust the database on serverless: ${FLAGS_HINT}` }, needsHuman: true };
  }
  const instances = opt.instances !== undefined ? Number(opt.instances) : undefined;
  if (typeof opt.databaseUrl === 'string' && opt.databaseUrl) {
    if (instances === undefined) return { skip: { file: '.', message: `pool not sized: --database-url gives max_connections, but how many ${kind === 'server' ? 'server processes' : 'function instances'} share it is unknown: pass --instances N` }, needsHuman: true };
    let cap: ServerCapacity;
    try {
      const probe = await openDbProbe(opt.databaseUrl);
      cap = { maxConnections: probe.maxConnections, reserved: probe.reservedConnections };
      await probe.close();
    } catch (err) {
      return { failure: redact(`could not read max_connections through --database-url: ${err instanceof Error ? err.message : String(err)}`) };
    }
    const limit = perInstanceLimit(cap, instances);
    return { limit, why: `${kind} (${evidence}); server max_connections=${cap.maxConnections}, reserved=${cap.reserved}, headroom=${HEADROOM}, ${instances} ${kind === 'server' ? 'process(es)' : 'instance(s)'} → floor((${cap.maxConnections}−${cap.reserved}−${HEADROOM})/${instances})` };
  }
  if (kind === 'server') {
    return { skip: { file: '.', message: `left alone: a long-running server (${evidence}) serves every request from one pool, so it keeps the pool it has; to size it from the database pass --database-url <url> --instances N (N = server processes)` }, needsHuman: false };
  }
  return { limit: POOL_DEFAULTS.connectionLimit, why: `serverless (${evidence}): Prisma's serverless advice of 1 connection per instance without a pooler (pass --database-url and --instances to size it from the server)` };
}

export const databaseUrl: Codemod = {
  id: 'database-url',
  title: 'Size the Prisma connection pool from the server (DATABASE_URL params; PrismaPg pool options)',
  prefilter: (text) => text.includes('PrismaPg'),
  // .env files carry the pool settings: it runs even when no source file passed the prefilter.
  alwaysRuns: true,
  async transform(ctx) {
    const result = emptyResult();
    const opt = ctx.options;
    const env = envTargets(ctx, result);
    const adapters = ctx.files.filter((sf) => sf.getDescendantsOfKind(SyntaxKind.NewExpression).some((ne) => ne.getExpression().getText() === 'PrismaPg' && !ne.getText().includes('poolOptionsFromUrl(')));
    if (env.length === 0 && adapters.length === 0) return result;
    const poolTimeout = opt.poolTimeout !== undefined ? Number(opt.poolTimeout) : POOL_DEFAULTS.poolTimeout;
    const connectTimeout = opt.connectTimeout !== undefined ? Number(opt.connectTimeout) : POOL_DEFAULTS.connectTimeout;
    for (const [name, v] of [['--connection-limit', opt.connectionLimit ?? 1], ['--pool-timeout', poolTimeout], ['--connect-timeout', connectTimeout]] as const) {
      if (!Number.isInteger(Number(v)) || Number(v) < (name === '--connection-limit' ? 1 : 0)) {
        result.failures.push({ file: '.', message: `${name} must be a whole number${name === '--connection-limit' ? ' ≥ 1' : ' ≥ 0'}, got ${String(v)}` });
        return result;
      }
    }
    const decided = await decideLimit(ctx);
    if ('failure' in decided) {
      result.failures.push({ file: '.', message: decided.failure });
      return result;
    }
    if ('skip' in decided) {
      (decided.needsHuman ? result.candidates : result.notes).push(decided.skip);
      return result;
    }
    const { limit, why } = decided;
    const params: Array<[string, string]> = [
      ['connection_limit', String(limit)],
      ['pool_timeout', String(poolTimeout)],
      ['connect_timeout', String(connectTimeout)],
    ];

    for (const { rel, lines, at } of env) {
      const changes: ChangeNote[] = [];
      for (const i of at) {
        const raw = lines[i]!;
        const cr = raw.endsWith('\r') ? '\r' : '';
        const { head, quote, value, tail } = parseEnvLine(cr ? raw.slice(0, -1) : raw)!;
        const host = hostOf(value);
        if (host.endsWith('neon.tech') && !host.includes('-pooler')) {
          result.candidates.push({
            file: rel,
            line: i + 1,
            message: `Neon direct endpoint (${host}): use the pooled endpoint (add -pooler to the endpoint id in the host) so many instances share PgBouncer's pool; keep the direct URL for migrations`,
          });
        }
        const next = setUrlParams(value, params);
        if (next === value) continue;
        lines[i] = `${head}${quote}${next}${quote}${tail}${cr}`;
        changes.push({
          file: rel,
          line: i + 1,
          message: `DATABASE_URL: connection_limit=${limit}, pool_timeout=${poolTimeout}, connect_timeout=${connectTimeout} (${why})`,
          memoWasWrong: MEMO_URL,
        });
      }
      if (changes.length) {
        ctx.writeText(rel, lines.join('\n'));
        result.changes.push(...changes);
      }
    }

    for (const sf of adapters) {
      const edits: Edit[] = [];
      const notes: ChangeNote[] = [];
      for (const ne of sf.getDescendantsOfKind(SyntaxKind.NewExpression)) {
        if (ne.getExpression().getText() !== 'PrismaPg') continue;
        const arg = ne.getArguments()[0];
        if (!arg || !Node.isObjectLiteralExpression(arg)) {
          result.candidates.push(noteAt(ctx, ne, 'new PrismaPg(…) without an options object literal: set max / connectionTimeoutMillis from the URL by hand'));
          continue;
        }
        if (arg.getText().includes('poolOptionsFromUrl(')) continue;
        const props = arg.getProperties();
        const connProp = props.find((p) => Node.isPropertyAssignment(p) && p.getName() === 'connectionString');
        const urlExpr = connProp && Node.isPropertyAssignment(connProp) ? connProp.getInitializerOrThrow().getText() : 'process.env.DATABASE_URL';
        const fallbacks: string[] = [];
        for (const p of props) {
          if (Node.isPropertyAssignment(p) && ['max', 'connectionTimeoutMillis'].includes(p.getName())) {
            fallbacks.push(`${p.getName()}: ${p.getInitializerOrThrow().getText()}`);
            // Remove the property with its trailing comma and line.
            const full = sf.getFullText();
            let end = p.getEnd();
            if (full[end] === ',') end++;
            let start = p.getStart();
            const lineStart = full.lastIndexOf('\n', start - 1) + 1;
            if (/^[ \t]*$/.test(full.slice(lineStart, start)) && /^[ \t]*\r?\n/.test(full.slice(end))) {
              start = lineStart;
              end = end + /^[ \t]*\r?\n/.exec(full.slice(end))![0].length;
            }
            edits.push({ start, end, text: '' });
          }
        }
        const spread = `...poolOptionsFromUrl(${urlExpr}${fallbacks.length ? `, { ${fallbacks.join(', ')} }` : ''})`;
        const multiline = arg.getText().includes('\n');
        const last = props[props.length - 1];
        if (multiline && last) {
          const full = sf.getFullText();
          const hasComma = full.slice(last.getEnd()).trimStart().startsWith(',');
          const insertAt = hasComma ? full.indexOf(',', last.getEnd()) + 1 : last.getEnd();
          const removedLast = fallbacks.length > 0 && edits.some((e) => e.start <= last.getStart() && e.end >= last.getEnd());
          if (removedLast) {
            // The last property goes away: insert before the closing brace instead.
            const closeLineStart = full.lastIndexOf('\n', arg.getEnd() - 1) + 1;
            edits.push({ start: closeLineStart, end: closeLineStart, text: `${indentOf(last)}${spread},${eolOf(sf)}` });
          } else {
            edits.push({ start: insertAt, end: insertAt, text: `${hasComma ? '' : ','}${eolOf(sf)}${indentOf(last)}${spread},` });
          }
        } else {
          edits.push({ start: arg.getStart(), end: arg.getEnd(), text: `{ ${props.filter((p) => !(Node.isPropertyAssignment(p) && ['max', 'connectionTimeoutMillis'].includes(p.getName()))).map((p) => p.getText()).concat(spread).join(', ')} }` });
          edits.splice(0, edits.length - 1, ...edits.slice(0, -1).filter((e) => e.start < arg.getStart() || e.end > arg.getEnd()));
        }
        notes.push(
          noteAt(ctx, ne, `PrismaPg pool options now come from DATABASE_URL (connection_limit → max, pool_timeout/connect_timeout → connectionTimeoutMillis)${fallbacks.length ? `, old values kept as fallbacks (${fallbacks.join(', ')})` : ''}`, MEMO_ADAPTER),
        );
      }
      if (edits.length === 0) continue;
      if (!applyEdits(sf, edits)) {
        result.failures.push(noteAt(ctx, sf, 'could not rewrite the PrismaPg options'));
        continue;
      }
      ensureNamedImport(sf, ctx.addTemplate('pool-options', sf), ['poolOptionsFromUrl']);
      result.changes.push(...notes);
    }
    return result;
  },
};
