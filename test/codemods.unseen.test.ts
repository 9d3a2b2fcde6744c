/**
 * The codemods on apps written in other teams' styles (test/fixtures/unseen-apps): SDK clients made in lib/,
 * URL builders imported from lib/, arrow route handlers, src/app layout, Prisma 6 without an adapter, limiters
 * already keyed by user, code that is already safe. Each app is copied under .genie-lab/ (so the templates'
 * packages resolve from the repo's node_modules), patched with --write, type-checked, and patched again.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyCodemods } from '../src/apply/index.ts';

const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const APPS = path.join(REPO, 'test/fixtures/unseen-apps');
const made: string[] = [];
afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

function copyApp(name: string): string {
  fs.mkdirSync(path.join(REPO, '.genie-lab'), { recursive: true });
  const root = fs.mkdtempSync(path.join(REPO, '.genie-lab', `unseen-${name}-`));
  made.push(root);
  fs.cpSync(path.join(APPS, name), root, { recursive: true });
  return root;
}

interface Expectation {
  changed: Record<string, RegExp[]>;
  identical: string[];
  /** Sites that need a human, as `<codemod> <file>`. */
  needsHuman?: string[];
}

const EXPECT: Record<string, Expectation> = {
  tidepool: {
    changed: {
      '.env.development': [/connection_limit=1&pool_timeout=10&connect_timeout=10/],
      // SDK model made in lib/gemini.ts, used here: queued; the FAQ read is cached, the per-account history is not.
      'src/app/api/chat/route.ts': [/runGemini\(\(\) => chatModel\.generateContentStream\(prompt\)\)/, /cached\(cacheKey\('publishedFaqs', 8\)/, /const history = await db\.conversation\.findMany/],
      'src/lib/gemini.ts': [/runGemini\(\(\) => chatModel\.generateContent\(/],
      // Map limiter keyed by x-forwarded-for alone, same file: re-keyed by IP + email before the password check.
      'src/app/api/auth/login/route.ts': [/checkLoginAllowed\(ip, email\)/, /recordLoginFailure\(ip, email\)/, /recordLoginSuccess\(ip, email\)/],
      // The balance is checked before it is spent: compare-and-set on it, not a blind decrement.
      'src/app/api/wallet/purchase/route.ts': [/expected: \{ balance: wallet\.balance \}/, /conflictResponse\(err\)/, /findUniqueOrThrow\(\{ where: \{ accountId: account\.id \} \}\)/],
      // Status transition computed through a local: compare-and-set on the status that was read.
      'src/app/api/orders/[id]/status/route.ts': [/expected: \{ status: order\.status \}/, /data: \{ status: next \}/],
      'src/app/api/posts/[id]/like/route.ts': [/data: \{ likes: \{ increment: 1 \} \}/],
    },
    // The session cookie is the account's own id: forgeable by anyone who knows one, and only a human can replace it.
    needsHuman: ['session-id src/app/api/auth/login/route.ts'],
    identical: ['src/app/api/generate/route.ts', 'src/app/api/posts/[id]/route.ts', 'src/app/api/posts/[id]/views/route.ts', 'src/lib/rate-limit.ts', 'src/lib/db.ts', 'src/lib/faq.ts', 'src/lib/auth.ts'],
  },
  harbor: {
    changed: {
      '.env.production': [/sslmode=require&connection_limit=1&pool_timeout=10&connect_timeout=10/],
      // URL built by lib/gemini-endpoint.ts: the fetch is queued; the stream loop drains lines, previews stay.
      'app/api/assistant/route.ts': [/queuedGeminiFetch\(geminiEndpoint\('gemini-2\.0-flash', true\)/, /for \(const line of bufferLines\.push\(decoder\.decode\(chunk, \{ stream: true \}\)\)\)/, /reply\.slice\(0, 200\)/, /question\.slice\(0, 80\)/],
      'app/api/summarize/route.ts': [/runGemini\(\(\) => ai\.models\.generateContent\(/],
      'app/api/tasks/[id]/route.ts': [/expected: \{ done: task\.done \}/, /data: \{ done: !task\.done \}/],
    },
    // A Neon direct endpoint: switching to the pooled one is the user's call (migrations need the direct URL).
    needsHuman: ['database-url .env.production'],
    identical: ['app/api/auth/signin/route.ts', 'app/api/feed/route.ts', 'lib/gemini-endpoint.ts', 'lib/prisma.ts', 'lib/ratelimit.ts', 'lib/passwords.ts'],
  },
};

describe('codemods on apps nobody here wrote', () => {
  for (const [name, want] of Object.entries(EXPECT)) {
    it(`${name}: fixes the defects, leaves safe code byte-identical, type-checks, second run changes nothing`, async () => {
      const root = copyApp(name);
      const original = new Map<string, string>();
      for (const rel of [...Object.keys(want.changed), ...want.identical]) original.set(rel, fs.readFileSync(path.join(root, rel), 'utf8'));

      const first = await applyCodemods({ dir: root, write: true, force: true });
      expect(first.codemods.flatMap((c) => c.failures)).toEqual([]);
      expect(first.unparsable).toEqual([]);
      // Every site of these apps has a proven fix or is safe as it is, but for the advice a human must act on.
      expect(first.codemods.flatMap((c) => c.candidates.map((n) => `${c.id} ${n.file}`))).toEqual(want.needsHuman ?? []);
      expect(first.exitCode).toBe(want.needsHuman ? 1 : 0);
      expect(first.proof).toMatchObject({ checked: true, editsDropped: 0 });
      // The apps type-check clean after the write (and before: see the fixture), checked by the real compiler too.
      const tsc = spawnSync(process.execPath, [path.join(REPO, 'node_modules/typescript/bin/tsc'), '--noEmit', '--incremental', 'false', '-p', root], { encoding: 'utf8', timeout: 300_000 });
      expect(tsc.stdout + tsc.stderr).toBe('');

      const changed = first.files.map((f) => f.path);
      for (const [rel, patterns] of Object.entries(want.changed)) {
        expect(changed, rel).toContain(rel);
        const text = fs.readFileSync(path.join(root, rel), 'utf8');
        expect(text, rel).not.toBe(original.get(rel));
        for (const p of patterns) expect(text, `${rel} ${p}`).toMatch(p);
      }
      for (const rel of want.identical) {
        expect(changed, rel).not.toContain(rel);
        expect(fs.readFileSync(path.join(root, rel), 'utf8'), rel).toBe(original.get(rel));
      }
      // Every patched TypeScript file must still parse: the type-check above would list it otherwise.
      const second = await applyCodemods({ dir: root, force: true });
      expect(second.files.map((f) => f.path)).toEqual([]);
    }, 240_000);
  }
});
