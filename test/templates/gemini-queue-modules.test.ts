/**
 * The Gemini queue is several template modules that import each other (`./gemini-bounded-queue.js`). apply copies
 * them into the app with their siblings, naming each sibling the way the app's compilers accept: Next.js's webpack
 * and Turbopack do not map `./x.js` to x.ts (`next build` fails "Module not found", seen on Next 16.4), so the copies
 * say `./x`, except in an ES-module app under node16/nodenext resolution, whose TypeScript requires `./x.js`.
 * Each app setting is type-checked on the copies as apply stages them, with TypeScript 5 and 4.7.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { SourceFile } from 'ts-morph';
import type * as TS from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../src/apply/workspace.ts';

const require = createRequire(import.meta.url);
const ts = require('typescript') as typeof TS;
const ts47 = require('typescript-4.7') as typeof TS;
const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
// Inside the repo, so the templates' packages (p-queue, ai) resolve from its node_modules as they would in an app.
fs.mkdirSync(path.join(repo, '.genie-lab'), { recursive: true });
const scratch = fs.mkdtempSync(path.join(repo, '.genie-lab', 'gemini-modules-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

interface AppSetting {
  name: string;
  type?: 'module';
  compilerOptions: Record<string, string>;
}

/** Copies the templates `names` into a new app with `setting`, as apply stages them; returns the copies' paths. */
function stage(setting: AppSetting, names: string[]): { root: string; files: string[] } {
  const root = fs.mkdtempSync(path.join(scratch, `${setting.name}-`));
  fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'app', ...(setting.type ? { type: setting.type } : {}), dependencies: {} }));
  fs.writeFileSync(path.join(root, 'tsconfig.json'), JSON.stringify({ compilerOptions: setting.compilerOptions }));
  const workspace = new Workspace(root);
  const from = { getFilePath: () => path.join(root, 'app/api/chat/route.ts') } as unknown as SourceFile;
  for (const name of names) workspace.addTemplate(name, from);
  const files: string[] = [];
  for (const [abs, file] of workspace.staged) {
    if (!abs.endsWith('.ts')) continue;
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, file.after);
    files.push(abs);
  }
  return { root, files };
}

function errorsOf(compiler: typeof TS, root: string, files: string[], target: TS.ScriptTarget): string[] {
  const parsed = compiler.parseJsonConfigFileContent(JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.json'), 'utf8')), compiler.sys, root);
  const options = { ...parsed.options, strict: true, noEmit: true, target, lib: ['lib.esnext.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'], esModuleInterop: true, skipLibCheck: true, types: ['node'] };
  const program = compiler.createProgram(files, options);
  return compiler.getPreEmitDiagnostics(program).map((d) => `${path.basename(d.file?.fileName ?? '')} TS${d.code}: ${compiler.flattenDiagnosticMessageText(d.messageText, ' ')}`);
}

const QUEUE = ['gemini-queue', 'gemini-limit-only'];
const AI_SDK = ['gemini-queue-ai-sdk', 'gemini-limit-only-ai-sdk'];
const MODULES = ['env-int', 'gemini-bounded-queue', 'gemini-limit-only', 'gemini-queue', 'gemini-retry-info', 'gemini-stream-release'];

describe('the Gemini queue modules, as apply copies them into an app', () => {
  it('copies every sibling a template imports, including `./x.js` imports', () => {
    const { files } = stage({ name: 'siblings', compilerOptions: { module: 'esnext', moduleResolution: 'bundler' } }, ['gemini-queue-ai-sdk']);
    expect(files.map((f) => path.basename(f, '.ts')).sort()).toEqual(['env-int', 'gemini-ai-sdk-middleware', 'gemini-bounded-queue', 'gemini-queue', 'gemini-queue-ai-sdk', 'gemini-retry-info', 'gemini-stream-release']);
  });

  const settings: Array<AppSetting & { specifier: string }> = [
    { name: 'node', specifier: "'./gemini-bounded-queue'", compilerOptions: { module: 'esnext', moduleResolution: 'node' } },
    { name: 'bundler', specifier: "'./gemini-bounded-queue'", compilerOptions: { module: 'esnext', moduleResolution: 'bundler' } },
    { name: 'nodenext-esm', type: 'module', specifier: "'./gemini-bounded-queue.js'", compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext' } },
  ];
  for (const setting of settings) {
    it(`moduleResolution ${setting.name}: siblings named ${setting.specifier}, 0 type errors at ES2022 and ES5 (TypeScript 5)`, () => {
      const { root, files } = stage(setting, [...QUEUE, ...AI_SDK]);
      expect(fs.readFileSync(files.find((f) => f.endsWith('/gemini-queue.ts'))!, 'utf8')).toContain(`from ${setting.specifier}`);
      for (const target of [ts.ScriptTarget.ES2022, ts.ScriptTarget.ES5]) expect(errorsOf(ts, root, files, target), ts.ScriptTarget[target]).toEqual([]);
    }, 60_000);
  }

  it('would catch the regression: extensionless siblings in an ES-module nodenext app fail with TS2835', () => {
    const esm = stage({ name: 'esm-extensionless', type: 'module', compilerOptions: { module: 'nodenext' } }, QUEUE);
    for (const f of esm.files) fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace(/(from '\.\/[\w-]+)\.js'/g, "$1'"));
    expect(errorsOf(ts, esm.root, esm.files, ts.ScriptTarget.ES2022).some((e) => e.includes('TS2835'))).toBe(true);
  }, 60_000);

  it('moduleResolution node on TypeScript 4.7: the queue modules compile with 0 errors at ES2022 and ES5 (the AI SDK ones need the TypeScript 5 that ai v6 needs)', () => {
    const { root, files } = stage({ name: 'ts47', compilerOptions: { module: 'esnext', moduleResolution: 'node' } }, QUEUE);
    expect(files.map((f) => path.basename(f, '.ts')).sort()).toEqual(MODULES);
    for (const target of [ts47.ScriptTarget.ES2022, ts47.ScriptTarget.ES5]) expect(errorsOf(ts47, root, files, target), ts47.ScriptTarget[target]).toEqual([]);
  }, 60_000);
});
