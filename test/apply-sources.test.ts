import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Project } from 'ts-morph';
import { afterAll, describe, expect, it } from 'vitest';
import type { Codemod } from '../codemods/types.ts';
import { SourceSet, createProject } from '../src/apply/sources.ts';

const made: string[] = [];
afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

function app(files: Record<string, string>): { root: string; all: Array<{ rel: string; text: string }> } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'genie-sources-'));
  made.push(root);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  const all = Object.keys(files)
    .filter((rel) => rel.endsWith('.ts'))
    .map((rel) => ({ rel, text: fs.readFileSync(path.join(root, rel), 'utf8') }));
  return { root, all };
}

const codemod = (over: Partial<Codemod>): Codemod => ({
  id: 'cache',
  title: 't',
  prefilter: (text) => text.includes('db.'),
  transform: () => ({ changes: [], candidates: [], failures: [], notes: [] }),
  ...over,
});

describe('createProject', () => {
  it("reads the tsconfig's compiler options (extends, paths) exactly as ts-morph's tsConfigFilePath does", () => {
    const { root } = app({
      'tsconfig.base.json': JSON.stringify({ compilerOptions: { strict: true, moduleResolution: 'bundler', module: 'esnext', jsx: 'preserve' } }),
      'tsconfig.json': JSON.stringify({ extends: './tsconfig.base.json', compilerOptions: { paths: { '@/*': ['./src/*'] } }, include: ['**/*.ts'] }),
      'src/a.ts': 'export const a = 1;\n',
    });
    const viaTsMorph = new Project({ tsConfigFilePath: path.join(root, 'tsconfig.json'), skipAddingFilesFromTsConfig: true, skipFileDependencyResolution: true });
    expect(createProject(root).getCompilerOptions()).toEqual(viaTsMorph.getCompilerOptions());
  });
});

describe('SourceSet', () => {
  it('parses a file once, with the text apply read (BOM kept), and reports one that does not parse', () => {
    const { root, all } = app({
      'tsconfig.json': '{}',
      'a.ts': 'export const a = db.x;\n',
      'bom.ts': '\uFEFFexport const b = db.y;\n',
      'broken.ts': 'export const c = db.(;\n',
    });
    const sources = new SourceSet(root, createProject(root), all, all);
    const { files, scanned } = sources.filesFor(codemod({}));
    expect(files.map((sf) => sf.getBaseName())).toEqual(['a.ts', 'bom.ts']);
    expect(scanned).toBe(2);
    expect(files.map((sf) => sf.getFullText())).toEqual(['export const a = db.x;\n', '\uFEFFexport const b = db.y;\n']);
    expect(sources.unparsable.map((u) => u.path)).toEqual(['broken.ts']);
    // A second codemod gets the same parsed files, not fresh copies.
    expect(sources.filesFor(codemod({ id: 'session-id' })).files[0]).toBe(files[0]);
  });

  it('with an anchor no file passes, parses only the anchor candidates and hands the codemod no files', () => {
    const { root, all } = app({ 'tsconfig.json': '{}', 'route.ts': 'gemini(db.a);\n', 'w1.ts': 'db.b.update();\n', 'w2.ts': 'db.c.update();\n' });
    const sources = new SourceSet(root, createProject(root), all, all);
    const gated = sources.filesFor(codemod({ anchor: { text: (t) => t.includes('gemini'), file: (sf) => sf.getFullText().includes('queued') } }));
    expect(gated).toEqual({ files: [], scanned: 1 });
    expect([...sources.original.keys()].map((abs) => path.basename(abs))).toEqual(['route.ts']);

    const open = new SourceSet(root, createProject(root), all, all).filesFor(codemod({ anchor: { text: (t) => t.includes('gemini'), file: () => true } }));
    expect(open.files.map((sf) => sf.getBaseName())).toEqual(['route.ts', 'w1.ts', 'w2.ts']);
  });

  it('sees the edits of the codemods before it in its prefilter', () => {
    const { root, all } = app({ 'tsconfig.json': '{}', 'a.ts': 'db.a();\n', 'b.ts': 'other();\n' });
    const sources = new SourceSet(root, createProject(root), all, all);
    const [a] = sources.filesFor(codemod({})).files;
    a!.replaceWithText('marked();\n');
    expect(sources.filesFor(codemod({ prefilter: (t) => t.includes('marked') })).files.map((sf) => sf.getBaseName())).toEqual(['a.ts']);
    expect(sources.currentTexts().get('a.ts')).toBe('marked();\n');
  });
});
