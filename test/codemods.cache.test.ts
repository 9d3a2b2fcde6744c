/**
 * cache across files: a cached read of a model is paired with an invalidation at every write of that model in
 * the app (other route files included); seeds and scripts are not edited; a write it cannot follow keeps the
 * read uncached.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyCodemods } from '../src/apply/index.ts';

const made: string[] = [];
afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

function app(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'genie-cache-'));
  made.push(root);
  const all = { 'package.json': JSON.stringify({ dependencies: { next: '16.0.0' } }), ...files };
  for (const [rel, text] of Object.entries(all)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  return root;
}

const chat = `import { db } from '@/lib/db';
const URL = 'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:generateContent';

export async function POST(req: Request) {
  const { q } = (await req.json()) as { q: string };
  const tips = await db.travelTip.findMany({ take: 10 });
  const res = await fetch(URL, { method: 'POST', body: JSON.stringify({ q, tips }) });
  return new Response(res.body);
}
`;
const admin = `import { db } from '@/lib/db';

export async function PATCH(req: Request) {
  const { id, text } = (await req.json()) as { id: number; text: string };
  const tip = await db.travelTip.update({ where: { id }, data: { text } });
  return Response.json(tip);
}
`;
const seed = `import { db } from '../lib/db';

await db.travelTip.createMany({ data: [{ text: 'Pack light' }] });
`;

describe('cache: every write of a cached model invalidates it', () => {
  it('adds the invalidation in the other route that writes the model, leaves the seed alone', async () => {
    const root = app({ 'app/api/chat/route.ts': chat, 'app/api/admin/tips/route.ts': admin, 'prisma/seed.ts': seed });
    const r = await applyCodemods({ dir: root, only: ['cache'], write: true, typecheck: false, force: true });
    const s = r.codemods.find((c) => c.id === 'cache')!;
    expect(s.failures).toEqual([]);
    expect(fs.readFileSync(path.join(root, 'app/api/chat/route.ts'), 'utf8')).toContain("cached(cacheKey('travelTip.findMany'), 5 * 60_000, () => db.travelTip.findMany({ take: 10 }))");
    const patched = fs.readFileSync(path.join(root, 'app/api/admin/tips/route.ts'), 'utf8');
    expect(patched).toMatch(/^import \{ invalidate \} from '(?:\.\.\/)+lib\/genie\/cache';$/m);
    expect(patched).toContain("  const tip = await db.travelTip.update({ where: { id }, data: { text } });\n  await invalidate('travelTip.findMany');\n  return Response.json(tip);");
    expect(fs.readFileSync(path.join(root, 'prisma/seed.ts'), 'utf8')).toBe(seed);
    expect(s.changes[0]!.message).toMatch(/app\/api\/admin\/tips\/route\.ts:5.*writes from scripts \(prisma\/seed\.ts:3\)/);
    // Second run: nothing left to do.
    const again = await applyCodemods({ dir: root, only: ['cache'], typecheck: false, force: true });
    expect(again.files).toEqual([]);
  });

  it('leaves the read uncached when a write returns its result directly (no statement to follow)', async () => {
    const returned = admin.replace('const tip = await db.travelTip.update({ where: { id }, data: { text } });\n  return Response.json(tip);', 'return Response.json(await db.travelTip.update({ where: { id }, data: { text } }));');
    const root = app({ 'app/api/chat/route.ts': chat, 'app/api/admin/tips/route.ts': returned });
    const r = await applyCodemods({ dir: root, only: ['cache'], typecheck: false, force: true });
    expect(r.files).toEqual([]);
    const notes = r.codemods.find((c) => c.id === 'cache')!.notes.map((n) => n.message);
    expect(notes).toEqual([expect.stringMatching(/^left alone: the app writes travelTip .*app\/api\/admin\/tips\/route\.ts:5 not awaited where it is written|its result is used in place/)]);
  });
});
