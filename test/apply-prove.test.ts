import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { edgeProblem } from '../src/apply/edge-runtime.ts';
import { dropWithGroups } from '../src/apply/index.ts';
import { proveCodemod } from '../src/apply/prove-codemod.ts';
import { EditProver, addedDiagnostics } from '../src/apply/prove.ts';

const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const made: string[] = [];
afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

/** A small app inside the repo, so `typescript` and `@types/node` resolve as they would from an installed app. */
function app(files: Record<string, string>): string {
  fs.mkdirSync(path.join(REPO, '.genie-lab'), { recursive: true });
  const root = fs.mkdtempSync(path.join(REPO, '.genie-lab', 'prove-'));
  made.push(root);
  const tsconfig = { compilerOptions: { strict: true, module: 'esnext', moduleResolution: 'bundler', target: 'es2022', noEmit: true, types: [], baseUrl: '.', paths: { '@/*': ['./*'] } }, include: ['**/*.ts'] };
  for (const [rel, text] of Object.entries({ 'tsconfig.json': JSON.stringify(tsconfig), ...files })) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  return root;
}

const texts = (root: string) =>
  new Map(
    fs
      .readdirSync(root, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .map((f) => [f.split(path.sep).join('/'), fs.readFileSync(path.join(root, f), 'utf8')]),
  );

describe('addedDiagnostics', () => {
  it('is a multiset difference: one more of the same error is new, moved lines are not', () => {
    const d = (key: string) => ({ key, text: key });
    expect(addedDiagnostics([d('TS1 a'), d('TS2 b')], [d('TS2 b'), d('TS1 a')])).toEqual([]);
    expect(addedDiagnostics([d('TS1 a')], [d('TS1 a'), d('TS1 a'), d('TS3 c')])).toEqual(['TS1 a', 'TS3 c']);
  });
});

describe('proveCodemod', () => {
  it('keeps a sound edit, drops one that adds a type error, and names the error', () => {
    const root = app({
      'good.ts': 'export const total = (a: number, b: number) => a + b;\n',
      'bad.ts': 'export const label: string = "x";\n',
    });
    const prover = new EditProver(root, []);
    const edits = {
      sources: new Map([
        [path.join(root, 'good.ts'), { before: 'export const total = (a: number, b: number) => a + b;\n', after: 'export const total = (a: number, b: number): number => a + b;\n' }],
        [path.join(root, 'bad.ts'), { before: 'export const label: string = "x";\n', after: 'export const label: string = 42;\n' }],
      ]),
      staged: new Map(),
    };
    const { dropped } = proveCodemod(prover, root, texts(root), edits);
    expect([...dropped.keys()]).toEqual([path.join(root, 'bad.ts')]);
    expect(dropped.get(path.join(root, 'bad.ts'))![0]).toMatch(/^bad\.ts:1 TS2322: Type 'number' is not assignable to type 'string'/);
  });

  it('blames an edit that breaks the file importing it', () => {
    const root = app({
      'lib/price.ts': 'export function price(): number { return 1; }\n',
      'app/use.ts': "import { price } from '@/lib/price';\nexport const doubled: number = price() * 2;\n",
    });
    const prover = new EditProver(root, []);
    const lib = path.join(root, 'lib/price.ts');
    const { dropped } = proveCodemod(prover, root, texts(root), {
      sources: new Map([[lib, { before: 'export function price(): number { return 1; }\n', after: 'export function price(): string { return "1"; }\n' }]]),
      staged: new Map(),
    });
    expect([...dropped.keys()]).toEqual([lib]);
    expect(dropped.get(lib)!.join('\n')).toContain('app/use.ts:2 TS2362');
  });

  it('resolves a template added in memory (and its folder), and drops its users when the template does not compile', () => {
    const root = app({ 'app/route.ts': 'export const n = 1;\n' });
    const route = path.join(root, 'app/route.ts');
    const template = path.join(root, 'lib/genie/helper.ts');
    const use = "import { helper } from '@/lib/genie/helper';\nexport const n = helper();\n";
    const ok = proveCodemod(new EditProver(root, []), root, new Map([['app/route.ts', use]]), {
      sources: new Map([[route, { before: 'export const n = 1;\n', after: use }]]),
      staged: new Map([[template, { before: undefined, after: 'export function helper(): number { return 1; }\n' }]]),
    });
    expect(ok.dropped.size).toBe(0);
    const broken = proveCodemod(new EditProver(root, []), root, new Map([['app/route.ts', use]]), {
      sources: new Map([[route, { before: 'export const n = 1;\n', after: use }]]),
      staged: new Map([[template, { before: undefined, after: 'export function helper(): number { return "1"; }\n' }]]),
    });
    expect([...broken.dropped.keys()]).toEqual([route]);
    expect(broken.dropped.get(route)!.join('\n')).toContain('lib/genie/helper.ts:1 TS2322');
  });

  it('resolves a package apply adds from genie-fix\'s own install (no spurious "Cannot find module")', () => {
    // Outside this repository, so nothing but genie-fix's own install can provide the package.
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'genie-prove-'));
    made.push(root);
    fs.mkdirSync(path.join(root, 'app'));
    fs.writeFileSync(path.join(root, 'app/route.ts'), 'export const n = 1;\n');
    fs.writeFileSync(path.join(root, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, module: 'esnext', moduleResolution: 'bundler', noEmit: true, typeRoots: [] }, include: ['**/*.ts'] }));
    const route = path.join(root, 'app/route.ts');
    const use = "import { LRUCache } from 'lru-cache';\nimport PQueue from 'p-queue';\nexport const n = new LRUCache<string, number>({ max: 2 }).max + new PQueue({ concurrency: 2 }).concurrency;\n";
    const prover = new EditProver(root, []);
    prover.addPackages(['lru-cache', 'p-queue']);
    const { dropped } = proveCodemod(prover, root, new Map([['app/route.ts', use]]), { sources: new Map([[route, { before: 'export const n = 1;\n', after: use }]]), staged: new Map() });
    expect([...dropped.values()]).toEqual([]);
  });
});

describe('dropWithGroups', () => {
  it('drops the other files of a group when one of them is not proven, and nothing outside it', () => {
    const root = '/app';
    const dropped = new Map([['/app/lib/write.ts', ['lib/write.ts:3 TS2304: x']]]);
    const edited = new Map([['/app/app/api/chat/route.ts', {}], ['/app/lib/write.ts', {}], ['/app/app/api/other/route.ts', {}]]);
    dropWithGroups(dropped, [['app/api/chat/route.ts', 'lib/write.ts']], root, edited);
    expect([...dropped.keys()].sort()).toEqual(['/app/app/api/chat/route.ts', '/app/lib/write.ts']);
    expect(dropped.get('/app/app/api/chat/route.ts')).toEqual(['its edit goes with lib/write.ts, which could not be proven']);
  });
});

describe('edge runtime', () => {
  it('refuses a template that needs Node built-ins in an edge route, and allows one that does not', () => {
    const edge = "export const runtime = 'edge';\nimport { cached } from '@/lib/genie/cache';\n";
    expect(edgeProblem('app/api/chat/route.ts', edge)).toBe('it runs on the edge runtime, which has no node:crypto (needed by lib/genie/cache.ts)');
    expect(edgeProblem('app/api/chat/route.ts', "export const runtime = 'edge';\nimport { queuedGeminiFetch } from '@/lib/genie/gemini-queue';\n")).toBeUndefined();
    expect(edgeProblem('app/api/chat/route.ts', "import { cached } from '@/lib/genie/cache';\n")).toBeUndefined();
    expect(edgeProblem('middleware.ts', "import { checkLoginAllowed } from './lib/genie/login-limiter';\n")).toMatch(/node:crypto/);
  });
});
