import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appDatabaseUrl, buildHash, copyAppForPatching, parseDotenv } from '../src/lab/app.ts';
import { repoRoot } from '../src/lab/state.ts';

let src: string;
let copyName: string;
const env = { NODE_ENV: 'production' };

beforeAll(async () => {
  src = await fs.mkdtemp(path.join(os.tmpdir(), 'genie-lab-app-'));
  copyName = `test-copy-${process.pid}`;
  const files: Record<string, string> = {
    'package.json': JSON.stringify({ dependencies: { next: '16.0.0' } }),
    '.env.production': '# comment\nDATABASE_URL="postgresql://genie:change-me@localhost:5432/genie?connection_limit=50&pool_timeout=20"\n',
    'app/page.tsx': 'export default function Page() { return null; }\n',
    'node_modules/x/index.js': 'module.exports = 1;\n',
    '.next/BUILD_ID': 'old\n',
    'generated/prisma/client.ts': 'export {};\n',
  };
  for (const [rel, text] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(src, rel)), { recursive: true });
    await fs.writeFile(path.join(src, rel), text);
  }
});

afterAll(async () => {
  await fs.rm(src, { recursive: true, force: true });
  await fs.rm(path.join(repoRoot, '.genie-lab', 'apps', copyName), { recursive: true, force: true });
});

describe('lab app helpers', () => {
  it('carries the query parameters of the app DATABASE_URL over to the lab URL', () => {
    const url = new URL(appDatabaseUrl(src, 'genie', 's3cret', 5555, 'genie'));
    expect(url.host).toBe('127.0.0.1:5555');
    expect(url.username).toBe('genie');
    expect(url.password).toBe('s3cret');
    expect(Object.fromEntries(url.searchParams)).toEqual({ connection_limit: '50', pool_timeout: '20' });
  });

  it('parses dotenv quoting and comments', () => {
    expect(parseDotenv(`A="x y"\nexport B='z'\nC=plain # note\n# D=no`)).toEqual({ A: 'x y', B: 'z', C: 'plain' });
  });

  it('copies an app under .genie-lab/apps without node_modules or .next (generated code is kept for type-checks)', async () => {
    const dest = await copyAppForPatching(src, copyName);
    expect(dest).toBe(path.join(repoRoot, '.genie-lab', 'apps', copyName));
    const entries = (await fs.readdir(dest)).sort();
    expect(entries).toEqual(['.env.production', 'app', 'generated', 'package.json']);
  });

  it('hashes sources: stable, changed by an edit, blind to files the build writes', async () => {
    const first = await buildHash(src, env);
    expect(await buildHash(src, env)).toBe(first);
    await fs.writeFile(path.join(src, 'next-env.d.ts'), '/// <reference types="next" />\n');
    await fs.writeFile(path.join(src, '.next', 'BUILD_ID'), 'new\n');
    expect(await buildHash(src, env)).toBe(first);
    expect(await buildHash(src, { NODE_ENV: 'development' })).not.toBe(first);
    await fs.appendFile(path.join(src, 'app/page.tsx'), '// edit\n');
    expect(await buildHash(src, env)).not.toBe(first);
  });
});
