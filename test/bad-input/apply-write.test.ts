/**
 * apply --write on files and folders that bite: a symlink out of the app, CRLF + BOM, an executable and a
 * read-only file. Writes are all or nothing, and what is written keeps each file's conventions.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectRefusal, genieFix, repo } from './helpers.ts';

const made: string[] = [];
afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

// A login route limited by IP alone: rate-limiter rewrites it and adds lib/genie/login-limiter.ts.
const LOGIN = [
  "import bcrypt from 'bcryptjs';",
  "import { db } from '@/lib/db';",
  '',
  'const seen = new Map<string, number>();',
  'function tooManyAttempts(key: string): boolean {',
  '  const n = (seen.get(key) ?? 0) + 1;',
  '  seen.set(key, n);',
  '  return n > 10;',
  '}',
  '',
  'export async function POST(req: Request) {',
  "  const ip = req.headers.get('x-forwarded-for') ?? 'unknown';",
  "  if (tooManyAttempts(ip)) return Response.json({ error: 'Too many attempts' }, { status: 429 });",
  '  const { email, password } = (await req.json()) as { email: string; password: string };',
  '  const user = await db.user.findUnique({ where: { email } });',
  "  if (!user) return Response.json({ error: 'Invalid credentials' }, { status: 401 });",
  "  if (!(await bcrypt.compare(password, user.hash))) return Response.json({ error: 'Invalid credentials' }, { status: 401 });",
  '  return Response.json({ id: user.id });',
  '}',
  '',
];

function app(eol: string): string {
  // Inside the repo, so next/typescript/bcryptjs types resolve as in an installed app.
  fs.mkdirSync(path.join(repo, '.genie-lab'), { recursive: true });
  const root = fs.mkdtempSync(path.join(repo, '.genie-lab', 'bad-apply-'));
  made.push(root);
  const files: Record<string, string> = {
    'package.json': '{\n  "dependencies": {\n    "next": "16.0.0"\n  }\n}\n',
    'tsconfig.json': JSON.stringify({ compilerOptions: { strict: true, module: 'esnext', moduleResolution: 'bundler', noEmit: true, skipLibCheck: true, paths: { '@/*': ['./*'] } }, include: ['**/*.ts'] }),
    'types.d.ts': "declare module 'bcryptjs' { const b: { compare(a: string, h: string): Promise<boolean> }; export default b; }\n",
    'db.ts': 'export const db = { user: { findUnique: async (_: { where: { email: string } }) => null as null | { id: string; hash: string } } };\n',
    'app/api/auth/login/route.ts': '\uFEFF' + LOGIN.join(eol),
  };
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  fs.renameSync(path.join(root, 'db.ts'), path.join(root, 'db-impl.ts'));
  fs.mkdirSync(path.join(root, 'lib'), { recursive: true });
  fs.writeFileSync(path.join(root, 'lib/db.ts'), "export { db } from '../db-impl';\n");
  execFileSync('git', ['init', '-q', root]);
  return root;
}

describe('apply --write keeps every promise on awkward files', () => {
  it('keeps CRLF, the BOM and an executable bit on the file it rewrites', async () => {
    const root = app('\r\n');
    const route = path.join(root, 'app/api/auth/login/route.ts');
    fs.chmodSync(route, 0o755);
    const run = await genieFix(['apply', root, '--write', '--force'], { timeoutMs: 180_000 });
    expect(run.stderr).not.toMatch(/\n\s+at /);
    const text = fs.readFileSync(route, 'utf8');
    expect(text, run.stdout).toContain('checkLoginAllowed(ip, email)');
    expect(text.startsWith('\uFEFF')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toContain('\n');
    expect(fs.statSync(route).mode & 0o777).toBe(0o755);
  }, 200_000);

  it('writes nothing when lib/ is a symlink out of the app (exit 2, one line naming the path)', async () => {
    const root = app('\n');
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'genie-outside-'));
    made.push(outside);
    fs.renameSync(path.join(root, 'lib'), path.join(outside, 'lib'));
    fs.symlinkSync(path.join(outside, 'lib'), path.join(root, 'lib'));
    const before = fs.readFileSync(path.join(root, 'app/api/auth/login/route.ts'), 'utf8');
    const run = await genieFix(['apply', root, '--write', '--force'], { timeoutMs: 180_000 });
    expectRefusal(run, 2, /^genie-fix: nothing was written: lib\/genie\/login-limiter\.ts resolves outside the target folder/);
    expect(fs.readFileSync(path.join(root, 'app/api/auth/login/route.ts'), 'utf8')).toBe(before);
    expect(fs.readdirSync(path.join(outside, 'lib'))).toEqual(['db.ts']);
  }, 200_000);

  it('writes nothing when a file it must change is read-only (exit 2), and leaves it as it was', async () => {
    const root = app('\n');
    const route = path.join(root, 'app/api/auth/login/route.ts');
    const before = fs.readFileSync(route, 'utf8');
    fs.chmodSync(route, 0o444);
    const run = await genieFix(['apply', root, '--write', '--force'], { timeoutMs: 180_000 });
    expectRefusal(run, 2, /^genie-fix: nothing was written: app\/api\/auth\/login\/route\.ts is read-only/);
    expect(fs.readFileSync(route, 'utf8')).toBe(before);
    expect(fs.existsSync(path.join(root, 'lib/genie'))).toBe(false);
  }, 200_000);
});
