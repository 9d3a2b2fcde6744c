import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyCodemods } from '../src/apply/index.ts';
import { unifiedDiff } from '../src/apply/diff.ts';
import { insideRoot } from '../src/apply/paths.ts';
import { UsageError } from '../src/errors.ts';
import { formatApply } from '../src/commands/apply.ts';

const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const LAB = path.join(REPO, '.genie-lab');
const made: string[] = [];

function tempDir(prefix: string): string {
  fs.mkdirSync(LAB, { recursive: true });
  const dir = fs.mkdtempSync(path.join(LAB, `${prefix}-`));
  made.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

function miniApp(files: Record<string, string>): string {
  const root = tempDir('apply-mini');
  const all = { 'package.json': '{\n  "dependencies": {\n    "next": "16.0.0"\n  }\n}\n', ...files };
  for (const [rel, text] of Object.entries(all)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  return root;
}

const CLI = path.join(REPO, 'bin/genie-fix.js');
function cli(args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: REPO, timeout: 120_000 });
}

describe('unifiedDiff', () => {
  it('prints hunks with line numbers and nothing for equal texts', () => {
    expect(unifiedDiff('a.ts', 'x\n', 'x\n')).toBe('');
    expect(unifiedDiff('a.ts', 'a\nb\nc\n', 'a\nB\nc\n')).toBe('--- a/a.ts\n+++ b/a.ts\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n');
  });
});

describe('apply safety', () => {
  it('refuses paths outside the target', () => {
    expect(() => insideRoot('/srv/app', '../etc/passwd')).toThrow(UsageError);
    expect(insideRoot('/srv/app', 'lib/x.ts')).toBe('/srv/app/lib/x.ts');
  });

  it('exits 2 on a folder that is not a Next.js app, and on an unknown codemod id', () => {
    const plain = tempDir('apply-plain');
    fs.writeFileSync(path.join(plain, 'package.json'), '{"dependencies":{"express":"4"}}');
    const r = cli(['apply', plain]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('not a Next.js project');
    const app = miniApp({ 'app/page.tsx': 'export default function P() { return null; }\n' });
    const u = cli(['apply', app, '--only', 'nope']);
    expect(u.status).toBe(2);
    expect(u.stderr).toContain('choose one of: database-url');
    expect(u.stderr).not.toContain('    at ');
  });

  it('refuses to write into a dirty git tree without --force (exit 2), writes with it', () => {
    // vercel.json: a serverless app, so database-url sizes its pool (1 per instance) without asking.
    const app = miniApp({ '.env': 'DATABASE_URL=postgres://u:hunter22@db:5432/app\n', 'vercel.json': '{}\n', 'app/page.tsx': 'export default function P() { return null; }\n' });
    execFileSync('git', ['init', '-q', app]);
    const r = cli(['apply', app, '--write', '--no-typecheck']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('uncommitted');
    const f = cli(['apply', app, '--write', '--force', '--no-typecheck', '--json']);
    expect(f.status).toBe(0);
    expect(fs.readFileSync(path.join(app, '.env'), 'utf8')).toBe('DATABASE_URL=postgres://u:hunter22@db:5432/app?connection_limit=1&pool_timeout=10&connect_timeout=10\n');
    // Passwords never reach the output, JSON included.
    expect(f.stdout + f.stderr).not.toContain('hunter22');
    const json = JSON.parse(f.stdout) as { written: boolean; codemods: Array<{ id: string; status: string }> };
    expect(json.written).toBe(true);
    expect(json.codemods.find((c) => c.id === 'database-url')?.status).toBe('changed');
  });

  it('refuses to guess when the app has no installed dependencies (exit 2, one line); --no-typecheck marks edits unchecked', () => {
    const app = fs.mkdtempSync(path.join(os.tmpdir(), 'genie-nodeps-'));
    made.push(app);
    fs.writeFileSync(path.join(app, 'package.json'), '{"dependencies":{"next":"16.0.0"}}\n');
    fs.writeFileSync(path.join(app, '.env'), 'DATABASE_URL=postgres://u:pw@db:5432/app\n');
    fs.mkdirSync(path.join(app, 'app'));
    fs.writeFileSync(path.join(app, 'app/page.tsx'), 'export default function P() { return null; }\n');
    const r = cli(['apply', app]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/no installed dependencies \("next" cannot be resolved\).*install them first.*--no-typecheck/);
    const u = cli(['apply', app, '--no-typecheck']);
    expect(u.stdout).toContain('proof: UNCHECKED (--no-typecheck)');
  });

  it('skips a file that does not parse, by name, and leaves it untouched', async () => {
    const broken = 'const url = "https://generativelanguage.googleapis.com/v1beta/models/x:generateContent";\nexport async function POST( {\n  return fetch(url\n';
    const app = miniApp({ 'app/api/chat/route.ts': broken });
    const result = await applyCodemods({ dir: app });
    expect(result.unparsable.map((u) => u.path)).toEqual(['app/api/chat/route.ts']);
    expect(result.files).toEqual([]);
  });

  it("says how many JavaScript files of the app's own code it did not read (config files aside)", async () => {
    const app = miniApp({ 'pages/api/login.js': 'export default function handler(req, res) { res.json({}); }\n', 'lib/db.js': 'export const db = {};\n', 'postcss.config.js': 'module.exports = {};\n' });
    const result = await applyCodemods({ dir: app });
    expect(result.javascriptUnread).toBe(2);
    expect(formatApply(result)).toContain("not read: 2 JavaScript file(s) of the app's own code");
  });
});

describe('apply on a copy of examples/genie-app', () => {
  it('changes the expected files, type-checks, and a second run changes nothing', async () => {
    const root = tempDir('apply-test');
    const example = path.join(REPO, 'examples/genie-app');
    fs.cpSync(example, root, { recursive: true, filter: (src) => !/[\\/](?:node_modules|\.next)(?:[\\/]|$)/.test(path.relative(example, src)) });
    // A real app has its Prisma client generated (a fresh clone of this repo does not, until a build):
    // without it the type-check cannot tell the codemods' types from Prisma's.
    const gen = spawnSync(process.execPath, ['scripts/generate.mjs'], { cwd: root, encoding: 'utf8' });
    expect(gen.status, gen.stderr).toBe(0);
    const before = new Map<string, string>();
    for (const rel of ['app/api/chat/stream/route.ts', 'app/api/auth/login/route.ts', 'app/api/expenses/route.ts', 'app/api/checklist/route.ts', 'app/api/user/profile/route.ts', 'lib/rag.ts']) {
      before.set(rel, fs.readFileSync(path.join(root, rel), 'utf8'));
    }

    // The checklist's clients send back the version they read: opted in, as the demo does.
    const first = await applyCodemods({ dir: root, write: true, force: true, options: { versionCheck: ['app/api/checklist/route.ts'] } });
    expect(first.exitCode).toBe(0);
    expect(first.files.map((f) => f.path)).toEqual(
      expect.arrayContaining([
        '.env.production',
        'app/api/auth/login/route.ts',
        'app/api/chat/stream/route.ts',
        'app/api/checklist/route.ts',
        'app/api/expenses/route.ts',
        'app/api/passport/[token]/upload/route.ts',
        'lib/genie/cache.ts',
        'lib/genie/gemini-queue.ts',
        'lib/genie/line-splitter.ts',
        'lib/genie/login-limiter.ts',
        'lib/genie/multipart-stream.ts',
        'lib/genie/optimistic-lock.ts',
        'lib/genie/pool-options.ts',
        'lib/genie/upload-stream.ts',
        'lib/prisma.ts',
        'package.json',
      ]),
    );
    for (const id of ['database-url', 'gemini-queue', 'cache', 'rate-limiter', 'stream-buffer', 'optimistic-lock', 'upload-queue']) {
      expect(first.codemods.find((c) => c.id === id)?.status, id).toBe('changed');
    }
    // The login route already uses randomBytes(32): nothing changes, and the memo's fix 9 is refused in a note.
    const session = first.codemods.find((c) => c.id === 'session-id')!;
    expect(session.changes).toEqual([]);
    expect(session.notes.map((n) => n.file)).toEqual(['app/api/auth/login/route.ts']);
    expect(session.notes[0]!.message).toMatch(/already randomBytes\(32\).*not applied/);
    // lib/drive.ts takes `body: Buffer | Readable` (the type checker says so): the file part is streamed, no candidate.
    expect(first.codemods.find((c) => c.id === 'upload-queue')!.candidates).toEqual([]);
    expect(first.codemods.find((c) => c.id === 'fetch-cache')!.candidates).toEqual([]);
    // Untouched: a per-user route and the RAG module itself.
    expect(fs.readFileSync(path.join(root, 'app/api/user/profile/route.ts'), 'utf8')).toBe(before.get('app/api/user/profile/route.ts'));
    expect(fs.readFileSync(path.join(root, 'lib/rag.ts'), 'utf8')).toBe(before.get('lib/rag.ts'));
    // Templates are copies, but for how they name their siblings (no extension: what Next's bundlers resolve).
    const template = (name: string) => fs.readFileSync(path.join(REPO, `codemods/templates/${name}.ts`), 'utf8').replace(/(from '\.\/[\w-]+)\.js'/g, "$1'");
    for (const name of ['cache', 'cache-local', 'cache-key', 'env-int']) {
      expect(fs.readFileSync(path.join(root, `lib/genie/${name}.ts`), 'utf8'), name).toBe(template(name));
    }
    const chat = fs.readFileSync(path.join(root, 'app/api/chat/stream/route.ts'), 'utf8');
    expect(chat).toContain('queuedGeminiFetch(url');
    expect(chat).not.toContain('buffer.substring');
    expect(fs.readFileSync(path.join(root, 'app/api/passport/[token]/upload/route.ts'), 'utf8')).toContain("return await withUploadSlot(async () => {\n      let file: StreamedFile | null;\n      try {\n        file = await readMultipartFile(request, 'file', { maxBytes: MAX_FILE_BYTES });");
    // Every edit was proven in memory, and none had to be dropped.
    expect(first.proof).toMatchObject({ checked: true, editsDropped: 0 });

    const tsc = spawnSync(process.execPath, [path.join(REPO, 'node_modules/typescript/bin/tsc'), '--noEmit', '--incremental', 'false', '-p', root], { encoding: 'utf8', timeout: 300_000 });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);

    const second = await applyCodemods({ dir: root });
    expect(second.files).toEqual([]);
    expect(second.exitCode).toBe(0);
  }, 600_000);
});
