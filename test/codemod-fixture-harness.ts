/**
 * Runs one codemod on one fixture through the real runner: the input is written into a throwaway Next.js app
 * (under .genie-lab/, so templates' imports resolve like in a real app), `apply --only <id> --write` runs, and
 * the patched file is read back.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { applyCodemods, type ApplyResult } from '../src/apply/index.ts';

export const FIXTURES = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../codemods/__testfixtures__');

export interface FixtureCase {
  id: string;
  name: string;
  inputPath: string;
  outputPath: string;
  /** Where the input lands in the app. */
  target: string;
}

export function listFixtureCases(): FixtureCase[] {
  const cases: FixtureCase[] = [];
  for (const id of fs.readdirSync(FIXTURES).sort()) {
    const dir = path.join(FIXTURES, id);
    if (!fs.statSync(dir).isDirectory()) continue;
    for (const file of fs.readdirSync(dir).sort()) {
      const m = /^(.+)\.input\.(ts|tsx|env|example|yml|yaml|json)$/.exec(file);
      if (!m) continue;
      const [, name, ext] = m as unknown as [string, string, string];
      const src = name.startsWith('src-') ? 'src/' : '';
      // Files that configure an app rather than code: the extension names the file they land in.
      const config: Record<string, string> = { env: '.env', example: 'env.example', yml: 'docker-compose.yml', yaml: 'compose.yaml', json: 'vercel.json' };
      const target = config[ext] ?? (name.includes('prisma-client') ? `${src}lib/prisma.ts` : `${src}app/api/${name}/route.${ext}`);
      cases.push({ id, name, inputPath: path.join(dir, file), outputPath: path.join(dir, `${name}.output.${ext}`), target });
    }
  }
  return cases;
}

function copyDir(from: string, to: string): void {
  if (!fs.existsSync(from)) return;
  fs.cpSync(from, to, { recursive: true });
}

export async function runFixture(c: FixtureCase, input: string): Promise<{ output: string; result: ApplyResult }> {
  const base = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../.genie-lab');
  fs.mkdirSync(base, { recursive: true });
  const root = fs.mkdtempSync(path.join(base, `fixture-${c.id}-`));
  try {
    const src = c.name.startsWith('src-');
    fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'fixture', dependencies: { next: '16.0.0' } }, null, 2) + '\n');
    fs.writeFileSync(
      path.join(root, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { strict: true, moduleResolution: 'bundler', module: 'esnext', paths: { '@/*': [src ? './src/*' : './*'] } } }, null, 2),
    );
    // Shared context for a codemod's cases (lib/rag.ts, prisma/schema.prisma …).
    copyDir(path.join(FIXTURES, c.id, '_app'), root);
    // Context of one case only (a Dockerfile, a vercel.json): <case>.app/ beside its input.
    copyDir(path.join(FIXTURES, c.id, `${c.name}.app`), root);
    if (src) copyDir(path.join(FIXTURES, c.id, '_app/lib'), path.join(root, 'src/lib'));
    fs.mkdirSync(path.join(root, src ? 'src/app' : 'app'), { recursive: true });
    const target = path.join(root, c.target);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, input);
    const result = await applyCodemods({ dir: root, only: [c.id], write: true, typecheck: false, force: true });
    return { output: fs.readFileSync(target, 'utf8'), result };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/** One codemod's summary (changes, candidates, notes) on its fixture `<id>/<name>.input.*`: what the file text cannot show. */
export async function runFixtureCase(id: string, name: string): Promise<ApplyResult['codemods'][number]> {
  const c = listFixtureCases().find((x) => x.id === id && x.name === name);
  if (!c) throw new Error(`no fixture ${id}/${name}`);
  const { result } = await runFixture(c, fs.readFileSync(c.inputPath, 'utf8'));
  return result.codemods.find((s) => s.id === id)!;
}

export const tmpdir = os.tmpdir;
