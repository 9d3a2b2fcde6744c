/**
 * Apps still compile with TypeScript 4.7 (the oldest version real Next.js apps were seen on): a template that
 * only compiles on 5.x breaks their build. Runs TypeScript 4.7.4 itself (devDependency alias `typescript-4.7`).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as TS from 'typescript';
import { describe, expect, it } from 'vitest';
import { diagnosticsOf } from './compile-in-memory.ts';

const require = createRequire(import.meta.url);
const ts47 = require('typescript-4.7') as typeof TS;
const TEMPLATES = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../codemods/templates');
const template = fs.readFileSync(path.join(TEMPLATES, 'optimistic-lock.ts'), 'utf8');

describe('templates on TypeScript 4.7', () => {
  it('runs the real 4.7 compiler', () => {
    expect(ts47.version).toBe('4.7.4');
  });

  it('optimistic-lock compiles with strict and 0 diagnostics', () => {
    expect(diagnosticsOf(ts47, { 'optimistic-lock.ts': template })).toEqual([]);
  });

  it('would catch the regression: the old direct casts (`as W`, `as D`) fail on 4.7 with TS2352', () => {
    const old = template.replace('as unknown as W', 'as W').replace('as unknown as D', 'as D');
    expect(old).not.toBe(template);
    expect(diagnosticsOf(ts47, { 'optimistic-lock.ts': old }).map((d) => d.code)).toEqual([2352, 2352]);
  });

  it('a route using the generated code compiles on 4.7 against a Prisma-shaped delegate', () => {
    const route = `
      import { versionedUpdate, ConflictError, conflictResponse, clientVersionOf, clientUpdatedAtOf } from './optimistic-lock';
      type SelectSubset<T, U> = { [K in keyof T]: K extends keyof U ? T[K] : never };
      type Args = { data: { text?: string; version?: number | { increment?: number } }; where?: { id?: number; version?: number; updatedAt?: Date } };
      interface Delegate { updateMany<T extends Args>(args: SelectSubset<T, Args>): Promise<{ count: number }> }
      declare const item: Delegate;
      export async function PATCH(request: Request): Promise<Response> {
        const body: unknown = await request.json();
        const clientVersion = clientVersionOf(body);
        const clientUpdatedAt = clientUpdatedAtOf(body);
        if (clientVersion !== undefined) {
          try {
            await versionedUpdate(item, { where: { id: 1 }, expected: { version: clientVersion }, data: { text: 'x' }, versionField: 'version' });
          } catch (err) {
            if (err instanceof ConflictError) return conflictResponse(err);
            throw err;
          }
        }
        return new Response(JSON.stringify({ clientUpdatedAt }));
      }`;
    expect(diagnosticsOf(ts47, { 'optimistic-lock.ts': template, 'route.ts': route })).toEqual([]);
  });
});

describe('every template on TypeScript 4.7, against the packages it imports', () => {
  it('type-checks with 0 errors (app-like tsconfigs: strict, esModuleInterop, DOM, target ES2022 and ES5)', () => {
    const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
    fs.mkdirSync(path.join(repo, '.genie-lab'), { recursive: true });
    // Inside the repo, so the templates' packages resolve from its node_modules as they would in an app.
    const dir = fs.mkdtempSync(path.join(repo, '.genie-lab', 'ts47-'));
    try {
      // `ai` v6's own typings (zod 4) need TypeScript 5: an app on 4.7 cannot have it, and gemini-queue only adds
      // the template importing it (gemini-queue-ai-sdk) to apps on ai v6, whose proof type-checks with the app's TypeScript.
      const needsTs5 = (text: string) => /from\s+['"]ai['"]/.test(text);
      for (const f of fs.readdirSync(TEMPLATES).filter((n) => n.endsWith('.ts') && n !== 'dependencies.ts')) {
        if (!needsTs5(fs.readFileSync(path.join(TEMPLATES, f), 'utf8'))) fs.copyFileSync(path.join(TEMPLATES, f), path.join(dir, f));
      }
      const files = fs.readdirSync(dir).map((f) => path.join(dir, f));
      // ES2022 as new apps have it, and ES5 as create-next-app wrote it for years (no downlevelIteration).
      for (const target of [ts47.ScriptTarget.ES2022, ts47.ScriptTarget.ES5]) {
        const options = { strict: true, noEmit: true, target, module: ts47.ModuleKind.ESNext, moduleResolution: ts47.ModuleResolutionKind.NodeJs, lib: ['lib.esnext.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'], esModuleInterop: true, skipLibCheck: true, types: ['node'] };
        const program = ts47.createProgram(files, options);
        const errors = ts47.getPreEmitDiagnostics(program).map((d) => `${path.basename(d.file?.fileName ?? '')} TS${d.code}: ${ts47.flattenDiagnosticMessageText(d.messageText, ' ')}`);
        expect(errors, `target ${ts47.ScriptTarget[target]}`).toEqual([]);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
