import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { perInstanceLimit, setUrlParams } from '../codemods/database-url.ts';
import { detectDeployKind } from '../codemods/lib/deploy-kind.ts';
import { applyCodemods } from '../src/apply/index.ts';
import { poolOptionsFromUrl } from '../codemods/templates/pool-options.ts';
import { findUrlSites, whyNotSized } from '../codemods/database-url/url-sites.ts';
import { runFixtureCase } from './codemod-fixture-harness.ts';

describe('database-url helpers', () => {
  it('sizes the pool from the server and the instance count, never below 1', () => {
    expect(perInstanceLimit({ maxConnections: 100, reserved: 3 }, 5)).toBe(19); // (100-3-2)/5
    expect(perInstanceLimit({ maxConnections: 20, reserved: 3 }, 40)).toBe(1);
  });

  it('replaces and appends params without touching order, encoding or the fragment', () => {
    expect(setUrlParams('postgres://u:p%40ss@h/db?sslmode=require&connection_limit=50#x', [['connection_limit', '4'], ['pool_timeout', '10']])).toBe(
      'postgres://u:p%40ss@h/db?sslmode=require&connection_limit=4&pool_timeout=10#x',
    );
  });
});

describe('pool-options template', () => {
  it('maps the URL parameters to pg Pool options with the code values as fallbacks', () => {
    expect(poolOptionsFromUrl('postgres://h/db?connection_limit=3&pool_timeout=10&connect_timeout=5', { max: 5 })).toEqual({ max: 3, connectionTimeoutMillis: 10_000 });
    expect(poolOptionsFromUrl('postgres://h/db', { max: 5, connectionTimeoutMillis: 10_000 })).toEqual({ max: 5, connectionTimeoutMillis: 10_000 });
    expect(poolOptionsFromUrl(undefined)).toEqual({});
    expect(poolOptionsFromUrl('postgres://h/db?pool_timeout=0&connection_limit=abc', { max: 2 })).toEqual({ max: 2, connectionTimeoutMillis: 0 });
  });
});

describe('deployment kind (what database-url sizes the pool for)', () => {
  const made: string[] = [];
  afterAll(() => {
    for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
  });
  function tree(files: Record<string, string>): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'genie-deploy-'));
    made.push(root);
    for (const [rel, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), text);
    }
    return root;
  }

  it('reads serverless and server signs, and calls a mix of both unknown', () => {
    expect(detectDeployKind(tree({ 'vercel.json': '{}' }))).toEqual({ kind: 'serverless', serverless: ['vercel.json'], server: [] });
    expect(detectDeployKind(tree({ 'package.json': JSON.stringify({ dependencies: { '@vercel/functions': '1.0.0', '@vercel/analytics': '1.0.0' } }) })).kind).toBe('serverless');
    expect(detectDeployKind(tree({ Dockerfile: 'FROM node:20' }))).toEqual({ kind: 'server', serverless: [], server: ['Dockerfile'] });
    expect(detectDeployKind(tree({ 'next.config.mjs': "export default { output: 'standalone' };" })).server).toEqual(["next.config.mjs: output 'standalone'"]);
    expect(detectDeployKind(tree({ 'package.json': JSON.stringify({ scripts: { start: 'NODE_ENV=production node server.js' } }) })).kind).toBe('server');
    expect(detectDeployKind(tree({ 'package.json': JSON.stringify({ scripts: { start: 'next start' } }) })).kind).toBe('unknown');
    expect(detectDeployKind(tree({ 'vercel.json': '{}', 'docker-compose.yml': 'services: {}' }))).toEqual({ kind: 'unknown', serverless: ['vercel.json'], server: ['docker-compose.yml'] });
  });

  it('looks up to the repository root of a monorepo, and no further than the app when there is no repository', () => {
    const repo = tree({ '.git/HEAD': 'ref: refs/heads/main\n', 'docker/Dockerfile.web': 'FROM node:20', 'apps/web/package.json': '{}' });
    expect(detectDeployKind(path.join(repo, 'apps/web'))).toEqual({ kind: 'server', serverless: [], server: ['../../docker/Dockerfile.web'] });
    // An exported copy without .git: the workspace file marks the top.
    const workspace = tree({ 'pnpm-workspace.yaml': 'packages: [apps/*]\n', 'docker-compose.yml': 'services: {}', 'apps/web/vercel.json': '{}' });
    expect(detectDeployKind(path.join(workspace, 'apps/web'))).toEqual({ kind: 'unknown', serverless: ['vercel.json'], server: ['../../docker-compose.yml'] });
    const loose = tree({ Dockerfile: 'FROM node:20', 'app/package.json': '{}' });
    expect(detectDeployKind(path.join(loose, 'app')).kind).toBe('unknown');
  });

  it('apply: a server keeps its pool, an unknown deployment is asked about, --deploy settles it', async () => {
    const env = 'DATABASE_URL=postgres://u:pw@db:5432/app\n';
    const base = { 'package.json': JSON.stringify({ dependencies: { next: '16.0.0' } }), '.env': env };
    const dm = (r: Awaited<ReturnType<typeof applyCodemods>>) => r.codemods.find((c) => c.id === 'database-url')!;

    const server = await applyCodemods({ dir: tree({ ...base, Dockerfile: 'FROM node:20' }), only: ['database-url'], typecheck: false });
    expect(server.files).toEqual([]);
    expect(dm(server).candidates).toEqual([]);
    expect(dm(server).notes.map((n) => n.message)).toEqual([expect.stringMatching(/^left alone: a long-running server \(Dockerfile\).*--database-url <url> --instances N/)]);

    const unknown = await applyCodemods({ dir: tree(base), only: ['database-url'], typecheck: false });
    expect(unknown.files).toEqual([]);
    expect(dm(unknown).candidates.map((n) => n.message)).toEqual([expect.stringMatching(/cannot tell how this app is deployed.*--deploy serverless --instances N.*--deploy server --instances N/)]);

    const told = await applyCodemods({ dir: tree(base), only: ['database-url'], typecheck: false, options: { deploy: 'serverless' } });
    expect(told.files.map((f) => f.path)).toEqual(['.env']);
    expect(dm(told).changes[0]!.message).toMatch(/connection_limit=1, .*serverless \(--deploy serverless\)/);

    const explicit = await applyCodemods({ dir: tree({ ...base, Dockerfile: 'FROM node:20' }), only: ['database-url'], typecheck: false, options: { connectionLimit: 12 } });
    expect(dm(explicit).changes[0]!.message).toMatch(/connection_limit=12, .*from --connection-limit/);

    // A starter template's SQLite URL left in the example file of a Postgres app: left alone, and said to be stale.
    const schema = 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n';
    const stale = await applyCodemods({ dir: tree({ ...base, Dockerfile: 'FROM node:20', '.env.example': 'DATABASE_URL="file:./db.sqlite"\n', 'prisma/schema.prisma': schema }), only: ['database-url'], typecheck: false });
    expect(dm(stale).notes.map((n) => n.message)).toContainEqual(expect.stringMatching(/^a SQLite file: URL.*\(the Prisma schema's datasource is postgresql, so this value is not the database the app runs on\)$/));

    const noCount = await applyCodemods({ dir: tree({ ...base, 'vercel.json': '{}' }), only: ['database-url'], typecheck: false, options: { databaseUrl: 'postgres://u:pw@127.0.0.1:1/x' } });
    expect(noCount.files).toEqual([]);
    expect(dm(noCount).candidates.map((n) => n.message)).toEqual([expect.stringMatching(/how many function instances share it is unknown: pass --instances N/)]);
  });
});

describe('every place a DATABASE_URL is set', () => {
  const made: string[] = [];
  afterAll(() => {
    for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
  });
  function tree(files: Record<string, string>): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'genie-dburl-'));
    made.push(root);
    for (const [rel, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), text);
    }
    return root;
  }
  const ctxOf = (root: string) => ({
    listFiles: (dir = '.') => (fs.existsSync(path.join(root, dir)) ? fs.readdirSync(path.join(root, dir), { withFileTypes: true }).filter((e) => e.isFile()).map((e) => (dir === '.' ? e.name : `${dir}/${e.name}`)) : []),
    readText: (rel: string) => fs.readFileSync(path.join(root, rel), 'utf8'),
  });

  it('finds env, example, compose (map, list, compact list, docker/) and vercel.json sites, and nothing in code or outside environment:', () => {
    const root = tree({
      'env.example': 'DATABASE_URL=postgres://a:b@h/one\n',
      'env.ts': "export const DATABASE_URL='postgres://x@h/code';\n",
      'docker-compose.yml': 'services:\n  web:\n    labels:\n      - DATABASE_URL=postgres://x@h/label\n    environment:\n    - DATABASE_URL=postgres://a:b@h/two # dev\n  job:\n    environment:\n      "DATABASE_URL": \'postgres://a:b@h/three\'\n',
      'docker/compose.prod.yaml': 'services:\n  web:\n    environment:\n      - "DATABASE_URL=postgres://a:b@h/four"\n',
      'vercel.json': '{ "env": { "DATABASE_URL": "postgres://a:b@h/five" } }\n',
    });
    const sites = findUrlSites(ctxOf(root));
    expect(sites.map((x) => [x.rel, x.line, x.value])).toEqual([
      ['docker-compose.yml', 6, 'postgres://a:b@h/two'],
      ['docker-compose.yml', 9, 'postgres://a:b@h/three'],
      ['env.example', 1, 'postgres://a:b@h/one'],
      ['vercel.json', 1, 'postgres://a:b@h/five'],
      ['docker/compose.prod.yaml', 4, 'postgres://a:b@h/four'],
    ]);
    for (const x of sites) expect(fs.readFileSync(path.join(root, x.rel), 'utf8').slice(x.start, x.end)).toBe(x.value);
  });

  it('names what a URL it leaves alone is', () => {
    expect(whyNotSized('postgres://a:b@h/db')).toBeUndefined();
    expect(whyNotSized('postgresql://app:pw@localhost:5432/app?schema=public')).toBeUndefined();
    expect(whyNotSized('${DATABASE_URL:-postgresql://u:p@db/x}')).toMatch(/^DATABASE_URL is interpolated/);
    expect(whyNotSized('postgresql://<user>:<password>@db/x')).toMatch(/^DATABASE_URL is a placeholder/);
    expect(whyNotSized('postgres://USER:PASSWORD@HOST/DB')).toMatch(/^DATABASE_URL is a placeholder/);
    expect(whyNotSized('postgresql://[user]:[password]@[endpoint]-pooler.aws.neon.tech/[dbname]')).toMatch(/^DATABASE_URL is a placeholder/);
    expect(whyNotSized('postgres://app:pw@[::1]:5432/app')).toBeUndefined();
    expect(whyNotSized('postgres://host:pw@hostname.internal/app')).toBeUndefined();
    expect(whyNotSized('mysql://u:p@h:3306/db')).toMatch(/^a MySQL URL: Prisma ≤ 6 reads connection_limit and pool_timeout from MySQL URLs too/);
    expect(whyNotSized('your_database_url_here')).toMatch(/^DATABASE_URL holds no URL \(a placeholder to fill in, or a secret reference\)/);
    expect(whyNotSized('cockroachdb://u@h/db')).toMatch(/^DATABASE_URL is a cockroachdb: URL, not postgres:\/\//);
    expect(whyNotSized('file:./dev.db')).toMatch(/^a SQLite file: URL/);
    expect(whyNotSized('sqlserver://h:1433;database=x')).toMatch(/^a SQL Server URL/);
    expect(whyNotSized('prisma+postgres://accelerate.prisma-data.net/?api_key=k')).toMatch(/^a Prisma Accelerate/);
  });

  it('fixtures: the reason for each URL left alone is the true one', async () => {
    const notes = async (name: string) => (await runFixtureCase('database-url', name)).notes.map((n) => `${n.file}:${n.line} ${n.message}`);
    expect(await notes('no-transform-interpolated')).toEqual([expect.stringMatching(/^\.env:2 DATABASE_URL is interpolated \(\$\{…\}\): the real URL is assembled elsewhere, size the pool where it is set$/)]);
    expect(await notes('no-transform-placeholder')).toEqual([expect.stringMatching(/^env\.example:2 DATABASE_URL is a placeholder \(USER\/PASSWORD\/HOST or <…>\), not a server: whoever fills it in sizes the pool for their deployment$/)]);
    expect(await notes('no-transform-mysql')).toEqual([expect.stringMatching(/^\.env:1 a MySQL URL: .*set connection_limit by hand$/)]);
    const compose = await runFixtureCase('database-url', 'no-transform-compose-server');
    expect(compose.candidates).toEqual([]);
    expect(compose.notes.map((n) => n.message)).toEqual([
      expect.stringMatching(/^left alone: a long-running server \(Dockerfile, docker-compose\.yml\) .*\(DATABASE_URL set in docker-compose\.yml:7, docker-compose\.yml:12\)$/),
    ]);
  });

  it('fixtures: adapters it cannot size are reported with why', async () => {
    const mariadb = await runFixtureCase('database-url', 'no-transform-prisma-client-mariadb');
    expect(mariadb.candidates.map((n) => `${n.file}:${n.line} ${n.message}`)).toEqual([expect.stringMatching(/^lib\/prisma\.ts:4 new PrismaMariaDb\(…\): a MySQL\/MariaDB pool \(mariadb's connectionLimit/)]);
    const elsewhere = await runFixtureCase('database-url', 'no-transform-prisma-client-pool-elsewhere');
    expect(elsewhere.candidates.map((n) => n.message)).toEqual([expect.stringMatching(/^new PrismaPg\(…\) given sharedPool, whose pool options are not an object literal in this file/)]);
    const pool = await runFixtureCase('database-url', 'prisma-client-pg-pool');
    expect(pool.changes.map((n) => n.message)).toEqual([expect.stringMatching(/^PrismaPg \(its pool at line 5\) pool options now come from DATABASE_URL.*fallbacks \(max: 8\)$/)]);
  });

  it('apply with --connection-limit edits only the URLs of a compose file, byte for byte', async () => {
    const compose = [
      '# dev stack',
      'services:',
      '  web:',
      '    environment:',
      '      - DATABASE_URL=postgresql://n:n@pg:5432/notes?schema=public  # app',
      '      - OTHER=1',
      '  worker:',
      '    environment:',
      "      DATABASE_URL: 'postgresql://n:n@pg:5432/notes'",
      '      ALT_URL: postgresql://n:n@pg:5432/notes',
      '',
    ].join('\r\n');
    const root = tree({ 'package.json': JSON.stringify({ dependencies: { next: '16.0.0' } }), 'docker-compose.yml': compose, 'env.example': 'DATABASE_URL="mysql://u:p@h/db"\n' });
    const r = await applyCodemods({ dir: root, only: ['database-url'], write: true, typecheck: false, options: { connectionLimit: 8 } });
    const dm = r.codemods.find((c) => c.id === 'database-url')!;
    expect(r.files.map((f) => f.path)).toEqual(['docker-compose.yml']);
    const sized = '?schema=public&connection_limit=8&pool_timeout=10&connect_timeout=10';
    expect(fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8')).toBe(
      compose.replace('notes?schema=public  #', `notes${sized}  #`).replace("notes'", "notes?connection_limit=8&pool_timeout=10&connect_timeout=10'"),
    );
    expect(dm.changes.map((n) => `${n.file}:${n.line}`)).toEqual(['docker-compose.yml:5', 'docker-compose.yml:9']);
    expect(dm.notes.map((n) => n.file)).toEqual(['env.example']);

    // --deploy serverless sizes the app's env files, never the compose services (long-running servers).
    const mixed = tree({ 'package.json': JSON.stringify({ dependencies: { next: '16.0.0' } }), 'docker-compose.yml': compose, '.env': 'DATABASE_URL=postgres://a:b@h/db\n' });
    const s = await applyCodemods({ dir: mixed, only: ['database-url'], write: true, typecheck: false, options: { deploy: 'serverless' } });
    expect(s.files.map((f) => f.path)).toEqual(['.env']);
    expect(fs.readFileSync(path.join(mixed, 'docker-compose.yml'), 'utf8')).toBe(compose);
    expect(s.codemods.find((c) => c.id === 'database-url')!.notes.map((n) => `${n.file}:${n.line} ${n.message}`)).toEqual([
      'docker-compose.yml:5 a docker-compose service runs a long-running server: the serverless size (1 per instance) would starve it; pass --connection-limit N to size it',
      'docker-compose.yml:9 a docker-compose service runs a long-running server: the serverless size (1 per instance) would starve it; pass --connection-limit N to size it',
    ]);
  });
});
