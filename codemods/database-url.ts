/**
 * database-url: size the Prisma connection pool from the server's real capacity and how the app is deployed.
 * - Serverless (vercel.json, netlify.toml, …, or --deploy serverless): per-instance pools, 1 each unless
 *   --database-url and --instances size them from max_connections. A long-running server (Dockerfile, output
 *   'standalone', docker-compose, a custom server, or --deploy server) keeps its pool unless the server is known.
 *   Neither or both: nothing is written, the user is told which flags settle it.
 * - Every DATABASE_URL the app sets (`.env*`, env.example, docker-compose `environment:`, vercel.json `env`;
 *   database-url/url-sites.ts): add/replace connection_limit, pool_timeout, connect_timeout in the URL and nothing
 *   else. Interpolated, placeholder and non-Postgres URLs are left alone with what they are.
 * - Driver adapters with a pool (PrismaPg, PrismaNeon; database-url/adapters.ts): the URL parameters are ignored
 *   there, so the pool options are read from the URL in code, with the old literals as fallbacks.
 */
import { redact } from '../src/redact.ts';
import { applyEdits, emptyResult, ensureNamedImport, noteAt } from './ast.ts';
import { ADAPTER_NAMES, planAdapters } from './database-url/adapters.ts';
import { COMPOSE_FILE, findUrlSites, whyNotSized, type UrlSite } from './database-url/url-sites.ts';
import { readSchema, schemaProvider } from './lib/prisma-schema.ts';
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

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}

const MEMO_URL =
  "the memo's connection_limit=50 is per Prisma client, i.e. per serverless instance: 50 × the instance count exceeds any small plan's max_connections (\"sorry, too many clients already\"); the limit must come from the server's max_connections divided by the instances, or from a pooled endpoint";
const FLAGS_HINT =
  'pass --deploy serverless --instances N (N = function instances at peak; add --database-url <url> to size from max_connections) or --deploy server --instances N (N = server processes) --database-url <url>, or --connection-limit N';

/** The per-instance limit, or why none is set: only what the deployment and the server prove, never a guess. */
async function decideLimit(ctx: CodemodContext): Promise<{ limit: number; why: string; serverless?: boolean } | { skip: ChangeNote; needsHuman: boolean } | { failure: string }> {
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
      // Loaded here, not at the top: the pg driver (and the fetch internals it touches) cost every apply run ~0.2 s.
      const { openDbProbe } = await import('../src/db/probe.ts');
      const probe = await openDbProbe(opt.databaseUrl);
      cap = { maxConnections: probe.maxConnections, reserved: probe.reservedConnections };
      await probe.close();
    } catch (err) {
      return { failure: redact(`could not read max_connections through --database-url: ${err instanceof Error ? err.message : String(err)}`) };
    }
    const limit = perInstanceLimit(cap, instances);
    return { limit, serverless: kind === 'serverless', why: `${kind} (${evidence}); server max_connections=${cap.maxConnections}, reserved=${cap.reserved}, headroom=${HEADROOM}, ${instances} ${kind === 'server' ? 'process(es)' : 'instance(s)'} → floor((${cap.maxConnections}−${cap.reserved}−${HEADROOM})/${instances})` };
  }
  if (kind === 'server') {
    return { skip: { file: '.', message: `left alone: a long-running server (${evidence}) serves every request from one pool, so it keeps the pool it has; to size it from the database pass --database-url <url> --instances N (N = server processes)` }, needsHuman: false };
  }
  return { limit: POOL_DEFAULTS.connectionLimit, serverless: true, why: `serverless (${evidence}): Prisma's serverless advice of 1 connection per instance without a pooler (pass --database-url and --instances to size it from the server)` };
}

const siteList = (sites: UrlSite[]): string => sites.map((x) => `${x.rel}:${x.line}`).join(', ');

export const databaseUrl: Codemod = {
  id: 'database-url',
  title: 'Size the Prisma connection pool from the server (DATABASE_URL params; driver adapter pool options)',
  prefilter: (text) => ADAPTER_NAMES.some((name) => text.includes(name)),
  // env, compose and vercel.json files carry the pool settings: it runs even when no source file passed the prefilter.
  alwaysRuns: true,
  async transform(ctx) {
    const result = emptyResult();
    const opt = ctx.options;
    const sites: UrlSite[] = [];
    const provider = schemaProvider(readSchema(ctx));
    for (const site of findUrlSites(ctx)) {
      const why = whyNotSized(site.value);
      // An example file may still hold a starter template's URL: say when it is not the database the app uses.
      const mismatch = why && provider === 'postgresql' && !/^postgres(?:ql)?:/i.test(site.value) && /^[a-z][a-z0-9+.-]*:/i.test(site.value) ? ` (the Prisma schema's datasource is postgresql, so this value is not the database the app runs on)` : '';
      if (why) result.notes.push({ file: site.rel, line: site.line, message: why + mismatch });
      else sites.push(site);
    }
    const adapters = ctx.files.filter((sf) => ADAPTER_NAMES.some((name) => sf.getFullText().includes(`new ${name}(`)));
    if (sites.length === 0 && adapters.length === 0) return result;
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
      // Name every place the URL is set, so the user sees what was scanned and where the size would go.
      const where = sites.length ? ` (DATABASE_URL set in ${siteList(sites)})` : '';
      (decided.needsHuman ? result.candidates : result.notes).push({ ...decided.skip, message: `${decided.skip.message}${where}` });
      return result;
    }
    const { limit, why } = decided;
    // A compose service is a long-running server whatever --deploy says of the app: a per-instance serverless size
    // would starve it. Only a size given outright (--connection-limit) or measured for a server is written there.
    if (decided.serverless) {
      for (const site of sites.filter((x) => COMPOSE_FILE.test(x.rel.split('/').pop()!))) {
        result.notes.push({ file: site.rel, line: site.line, message: `a docker-compose service runs a long-running server: the serverless size (${limit} per instance) would starve it; pass --connection-limit N to size it` });
      }
      sites.splice(0, sites.length, ...sites.filter((x) => !COMPOSE_FILE.test(x.rel.split('/').pop()!)));
    }
    const params: Array<[string, string]> = [
      ['connection_limit', String(limit)],
      ['pool_timeout', String(poolTimeout)],
      ['connect_timeout', String(connectTimeout)],
    ];

    const byFile = new Map<string, UrlSite[]>();
    for (const site of sites) byFile.set(site.rel, [...(byFile.get(site.rel) ?? []), site]);
    for (const [rel, fileSites] of byFile) {
      let text = ctx.readText(rel)!;
      const changes: ChangeNote[] = [];
      // Last site first, so earlier offsets stay valid.
      for (const site of [...fileSites].sort((x, y) => y.start - x.start)) {
        const host = hostOf(site.value);
        if (host.endsWith('neon.tech') && !host.includes('-pooler')) {
          result.candidates.push({
            file: rel,
            line: site.line,
            message: `Neon direct endpoint (${host}): use the pooled endpoint (add -pooler to the endpoint id in the host) so many instances share PgBouncer's pool; keep the direct URL for migrations`,
          });
        }
        const next = setUrlParams(site.value, params);
        if (next === site.value) continue;
        text = text.slice(0, site.start) + next + text.slice(site.end);
        changes.unshift({
          file: rel,
          line: site.line,
          message: `DATABASE_URL: connection_limit=${limit}, pool_timeout=${poolTimeout}, connect_timeout=${connectTimeout} (${why})`,
          memoWasWrong: MEMO_URL,
        });
      }
      if (changes.length) {
        ctx.writeText(rel, text);
        result.changes.push(...changes);
      }
    }

    for (const sf of adapters) {
      const plan = planAdapters(ctx, sf);
      result.candidates.push(...plan.candidates);
      if (plan.edits.length === 0) continue;
      if (!applyEdits(sf, plan.edits)) {
        result.failures.push(noteAt(ctx, sf, 'could not rewrite the driver adapter pool options'));
        continue;
      }
      ensureNamedImport(sf, ctx.addTemplate('pool-options', sf), ['poolOptionsFromUrl']);
      result.changes.push(...plan.changes);
    }
    return result;
  },
};
