/**
 * optimistic-lock beyond single-file fixtures: the `--version-check` option (paths and globs, a pattern that
 * names nothing), and library code outside app/ (a conflict is thrown as ConflictError, never a Response).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { globToRegExp } from '../codemods/optimistic-lock/opt-in.ts';
import { applyCodemods } from '../src/apply/index.ts';
import { runFixture, runFixtureCase } from './codemod-fixture-harness.ts';

const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const SCHEMA = path.join(REPO, 'codemods/__testfixtures__/optimistic-lock/_app/prisma/schema.prisma');
const made: string[] = [];
afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

const blindPatch = (model: string) => `import { db } from '@/lib/db';

export async function PATCH(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const body = await request.json();
  const saved = await db.${model}.update({ where: { id }, data: { text: body.text } });
  return Response.json(saved);
}
`;

// A helper in lib/: callers get a plan back or an error, never a Response.
const BILLING = `import { db } from '@/lib/db';

export async function upgradePlan(planId: string, tier: string) {
  const plan = await db.plan.findUnique({ where: { id: planId } });
  if (!plan) throw new Error('unknown plan');
  const next = plan.tier === 'lifetime' ? plan.tier : tier;
  const saved = await db.plan.update({ where: { id: planId }, data: { tier: next } });
  return saved;
}

export async function touchPlan(planId: string, tier: string) {
  const plan = await db.plan.findUnique({ where: { id: planId } });
  await db.plan.update({ where: { id: planId }, data: { tier: plan?.tier ?? tier } });
}
`;

// The same read-modify-write where a thrown class or a returned Response would not reach the client as meant.
const STATUS_RMW = `  const order = await db.order.findUnique({ where: { id } });
  if (!order) throw new Error('not found');
  await db.order.update({ where: { id }, data: { status: order.status === 'open' ? 'closed' : 'open' } });`;
const SERVER_ACTION = `'use server';
import { db } from '@/lib/db';

export async function toggleOrder(id: string) {
${STATUS_RMW}
}
`;
const PAGES_API = `import { db } from '@/lib/db';

export default async function handler(req: { query: { id: string } }, res: { status(n: number): { end(): void } }) {
  const { id } = req.query;
${STATUS_RMW}
  res.status(204).end();
}
`;

function app(): string {
  fs.mkdirSync(path.join(REPO, '.genie-lab'), { recursive: true });
  const root = fs.mkdtempSync(path.join(REPO, '.genie-lab', 'optimistic-lock-'));
  made.push(root);
  const files: Record<string, string> = {
    'package.json': JSON.stringify({ name: 'opt-in', dependencies: { next: '16.0.0' } }),
    'tsconfig.json': JSON.stringify({ compilerOptions: { strict: true, moduleResolution: 'bundler', module: 'esnext', paths: { '@/*': ['./*'] } } }),
    'prisma/schema.prisma': fs.readFileSync(SCHEMA, 'utf8'),
    'app/api/notes/[id]/route.ts': blindPatch('checklistItem'),
    'app/api/drafts/[id]/route.ts': blindPatch('checklistItem'),
    'lib/billing.ts': BILLING,
    'app/orders/actions.ts': SERVER_ACTION,
    'pages/api/orders/[id].ts': PAGES_API,
  };
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  return root;
}

const run = (root: string, versionCheck?: string[]) =>
  applyCodemods({ dir: root, only: ['optimistic-lock'], write: true, force: true, typecheck: false, options: versionCheck ? { versionCheck } : {} });
const read = (root: string, rel: string) => fs.readFileSync(path.join(root, rel), 'utf8');

describe('optimistic-lock --version-check', () => {
  it('opts in exactly the routes a glob names; the others stay byte-identical', async () => {
    const root = app();
    const result = await run(root, ['app/api/notes/*/route.ts']);
    const lock = result.codemods.find((c) => c.id === 'optimistic-lock')!;
    expect(read(root, 'app/api/notes/[id]/route.ts')).toContain("const clientVersion = clientVersionOf(body);");
    expect(read(root, 'app/api/notes/[id]/route.ts')).toContain('? await db.checklistItem.findUniqueOrThrow({ where: { id } })');
    expect(read(root, 'app/api/drafts/[id]/route.ts')).toBe(blindPatch('checklistItem'));
    expect(lock.notes.map((n) => n.file)).toEqual(['app/api/drafts/[id]/route.ts']);
    expect(lock.notes[0]!.message).toContain('--version-check app/api/drafts/[id]/route.ts');
  });

  it('without the option every blind write is left alone; a pattern that names no file is reported', async () => {
    const root = app();
    const result = await run(root, ['app/api/nothing/route.ts']);
    const lock = result.codemods.find((c) => c.id === 'optimistic-lock')!;
    expect(read(root, 'app/api/notes/[id]/route.ts')).toBe(blindPatch('checklistItem'));
    expect(lock.notes.find((n) => n.file === 'app/api/nothing/route.ts')?.message).toMatch(/names no file/);
  });

  it('globs: * stays in one folder, ** crosses folders, brackets are literal', () => {
    expect(globToRegExp('app/api/*/route.ts').test('app/api/[id]/route.ts')).toBe(true);
    expect(globToRegExp('app/api/*/route.ts').test('app/api/a/b/route.ts')).toBe(false);
    expect(globToRegExp('app/**/route.ts').test('app/route.ts')).toBe(true);
    expect(globToRegExp('app/**/route.ts').test('app/api/a/b/route.ts')).toBe(true);
    expect(globToRegExp('app/api/[id]/route.ts').test('app/api/i/route.ts')).toBe(false);
  });
});

describe('optimistic-lock in library code', () => {
  it('by default leaves a read-modify-write in lib/ to a human: its callers may not expect a thrown conflict', async () => {
    const root = app();
    const lock = (await run(root)).codemods.find((c) => c.id === 'optimistic-lock')!;
    expect(read(root, 'lib/billing.ts')).toBe(BILLING);
    expect(lock.changes).toEqual([]);
    expect(lock.candidates.find((c) => c.file === 'lib/billing.ts' && c.line === 7)?.message).toMatch(/library code.*--version-check lib\/billing\.ts/);
  });

  it('opted in, throws ConflictError from a lib/ function (no Response), and leaves a possibly-null read to a human', async () => {
    const root = app();
    const result = await run(root, ['lib/billing.ts']);
    const lock = result.codemods.find((c) => c.id === 'optimistic-lock')!;
    const billing = read(root, 'lib/billing.ts');
    expect(billing).toContain("import { versionedUpdate } from '@/lib/genie/optimistic-lock';");
    expect(billing).toContain('  await versionedUpdate(db.plan, {\n    where: { id: planId },\n    expected: { tier: plan.tier },\n    data: { tier: next },\n  });\n  const saved = await db.plan.findUniqueOrThrow({ where: { id: planId } });');
    expect(billing).not.toMatch(/Response|conflictResponse/);
    // touchPlan reads plan?.tier: plan may be null, so nothing there is rewritten.
    expect(billing).toContain('  await db.plan.update({ where: { id: planId }, data: { tier: plan?.tier ?? tier } });');
    expect(lock.changes.map((c) => c.message)).toEqual([expect.stringContaining('throwing ConflictError')]);
    expect(lock.candidates.map((c) => [c.file, c.message])).toEqual(
      expect.arrayContaining([['lib/billing.ts', expect.stringContaining('plan may be null at the write')]]),
    );
  });

  it('leaves a server action and a pages/api handler to a human (neither can answer with a returned Response)', async () => {
    const root = app();
    const lock = (await run(root)).codemods.find((c) => c.id === 'optimistic-lock')!;
    expect(read(root, 'app/orders/actions.ts')).toBe(SERVER_ACTION);
    expect(read(root, 'pages/api/orders/[id].ts')).toBe(PAGES_API);
    const reasons = Object.fromEntries(lock.candidates.map((c) => [c.file, c.message]));
    expect(reasons['app/orders/actions.ts']).toMatch(/server action/);
    expect(reasons['pages/api/orders/[id].ts']).toMatch(/pages\/api handler/);
  });
});

// Check-then-act inside $transaction (fixtures in codemods/__testfixtures__/optimistic-lock/): what the file
// text cannot show is why a site was edited, refused or left alone.
describe('optimistic-lock inside $transaction', () => {
  it('an array transaction with a ledger row: compare-and-set on the value read, 409 from the route, no candidate', async () => {
    const s = await runFixtureCase('optimistic-lock', 'stock-adjust-batch');
    expect(s.candidates).toEqual([]);
    expect(s.changes.map((c) => c.message)).toEqual([expect.stringMatching(/part\.update in \$transaction\(\[…\]\).*stockQty = part\.stockQty.*P2025.*rolls back.*409/)]);
  });

  it('an interactive transaction after a read outside it: the same compare-and-set', async () => {
    const s = await runFixtureCase('optimistic-lock', 'stock-adjust-interactive');
    expect(s.candidates).toEqual([]);
    expect(s.changes.map((c) => c.message)).toEqual([expect.stringContaining('in an interactive $transaction')]);
  });

  it('a check and write inside one serializable transaction is left alone with a note', async () => {
    const s = await runFixtureCase('optimistic-lock', 'no-transform-serializable-recheck');
    expect(s.changes).toEqual([]);
    expect(s.candidates).toEqual([]);
    expect(s.notes.map((n) => n.message)).toEqual([expect.stringMatching(/same serializable transaction.*P2034/)]);
  });

  it('refuses, with the true reason, when another update in the batch could also miss its row', async () => {
    const s = await runFixtureCase('optimistic-lock', 'no-transform-batch-two-updates');
    expect(s.changes).toEqual([]);
    const reasons = s.candidates.map((c) => c.message);
    expect(reasons).toEqual([expect.stringMatching(/^part\.update inside \$transaction\(\[…\]\) is a check-then-act on from .*part\.update in the same transaction can also fail with "record not found" \(P2025\)/)]);
    // The old, false reason: the write is awaited, through the transaction.
    expect(reasons.join('\n')).not.toMatch(/not awaited|plain .await/);
  });

  it('refuses when no try/catch in the handler could turn the conflict into a 409', async () => {
    const s = await runFixtureCase('optimistic-lock', 'no-transform-batch-without-try');
    expect(s.changes).toEqual([]);
    expect(s.candidates.map((c) => c.message)).toEqual([expect.stringContaining('no try/catch in the handler surrounds it')]);
  });

  it('a model with a version column: the version joins the where and is bumped, read inside the callback', async () => {
    const s = await runFixtureCase('optimistic-lock', 'versioned-in-transaction');
    expect(s.candidates).toEqual([]);
    expect(s.changes.map((c) => c.message)).toEqual([expect.stringContaining('version = item.version')]);
  });

  it('refuses on Prisma 4, whose update takes only unique fields in its where', async () => {
    const s = await runFixtureCase('optimistic-lock', 'no-transform-prisma-4');
    expect(s.candidates.map((c) => c.message)).toEqual([expect.stringContaining('the app declares Prisma 4')]);
  });

  it('a total recomputed from all child rows is reported with the true race, not given a compare-and-set on the parent', async () => {
    const s = await runFixtureCase('optimistic-lock', 'no-transform-cart-total-from-lines');
    expect(s.changes).toEqual([]);
    expect(s.candidates.map((c) => c.message)).toEqual([expect.stringMatching(/^cart\.update writes total computed from all cartLine rows read by findMany \(line 12\).*FOR UPDATE.*Serializable/)]);
  });

  it('an atomic increment in a transaction and a guard on another row stay silent', async () => {
    for (const name of ['no-transform-atomic-increment', 'no-transform-guard-other-row']) {
      const s = await runFixtureCase('optimistic-lock', name);
      expect([s.changes, s.candidates]).toEqual([[], []]);
    }
  });
});

describe('optimistic-lock in a GET', () => {
  it('leaves a read-modify-write in a GET handler alone (a read must not start answering 409), with the reason', async () => {
    const s = await runFixtureCase('optimistic-lock', 'no-transform-lazy-fill-in-get');
    expect(s.changes).toEqual([]);
    expect(s.notes.map((n) => n.message)).toEqual([expect.stringMatching(/^member\.update in a GET handler writes data computed from member: left alone/)]);
  });
});

describe('optimistic-lock and calls out', () => {
  it('a value another server answered is not read from the row: recording it after the call is a plain write, left as it is', async () => {
    const s = await runFixtureCase('optimistic-lock', 'no-transform-status-after-call-out');
    expect(s.changes).toEqual([]);
    expect(s.candidates).toEqual([]);
  });
});

describe('optimistic-lock through same-module helpers', () => {
  it('a read in a one-call helper is followed as if inline: the handler write becomes a compare-and-set', async () => {
    const s = await runFixtureCase('optimistic-lock', 'helper-read-wallet');
    expect(s.candidates).toEqual([]);
    expect(s.changes.map((c) => c.message)).toEqual([expect.stringContaining('checked: wallet.balance')]);
  });

  it('a write helper taking the final value is reported: the fix changes its signature for its other callers', async () => {
    const s = await runFixtureCase('optimistic-lock', 'no-transform-helper-write-final-value');
    expect(s.changes).toEqual([]);
    expect(s.candidates.map((c) => c.message)).toEqual([expect.stringMatching(/^setBalance\(…\) writes wallet from its parameter balance, and the call on line 18 passes `wallet\.balance - price`.*changes its signature for its 1 other caller/)]);
  });

  it('a script run by hand (scripts/) gets a note, not a needs-a-human: no concurrent request runs it', async () => {
    const input = [
      "import { db } from '@/lib/db';",
      'export async function backfill(id: string) {',
      '  const order = await db.order.findUnique({ where: { id } });',
      '  if (!order) return;',
      "  await db.order.update({ where: { id }, data: { status: order.status === 'paid' ? 'closed' : order.status } });",
      '}',
      '',
    ].join('\n');
    const c = { id: 'optimistic-lock', name: 'one-off-script', inputPath: '', outputPath: '', target: 'scripts/backfill.ts' };
    const { output, result } = await runFixture(c, input);
    const s = result.codemods.find((x) => x.id === 'optimistic-lock')!;
    expect(output).toBe(input);
    expect(s.candidates).toEqual([]);
    expect(s.notes.map((n) => n.message)).toEqual([expect.stringContaining('scripts/backfill.ts is a one-off script, which no concurrent request runs')]);
  });
});
