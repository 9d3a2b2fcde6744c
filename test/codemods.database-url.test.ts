import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { perInstanceLimit, setUrlParams } from '../codemods/database-url.ts';
import { detectDeployKind } from '../codemods/lib/deploy-kind.ts';
import { applyCodemods } from '../src/apply/index.ts';
import { poolOptionsFromUrl } from '../codemods/templates/pool-options.ts';

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

    const noCount = await applyCodemods({ dir: tree({ ...base, 'vercel.json': '{}' }), only: ['database-url'], typecheck: false, options: { databaseUrl: 'postgres://u:pw@127.0.0.1:1/x' } });
    expect(noCount.files).toEqual([]);
    expect(dm(noCount).candidates.map((n) => n.message)).toEqual([expect.stringMatching(/how many function instances share it is unknown: pass --instances N/)]);
  });
});
