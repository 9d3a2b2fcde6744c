/** genie-fix init: the target description it writes from an app's source (sample apps, unseen fixtures, inline apps, the CLI). */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.ts';
import { init } from '../src/init/index.ts';

const tmp = mkdtempSync(join(tmpdir(), 'genie-init-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type Target = NonNullable<ReturnType<typeof parseConfig>['target']>;
function describeDir(dir: string): { target: Target; raw: Record<string, unknown>; lines: string[] } {
  const r = init({ appDir: dir, dryRun: true });
  return { target: parseConfig(r.config).target!, raw: r.config, lines: r.lines };
}
const todosOf = (t: Target) => (t.unresolved ?? []).map((u) => `${u.source} ${u.todo}`);

function app(name: string, files: Record<string, string>): string {
  const dir = join(tmp, name);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

describe('init on examples/trailhead (bearer token, string ids, counter, plain-text stream)', () => {
  const { target, raw } = describeDir('examples/trailhead');

  it('finds the bearer-token login and the body fields its zod schema reads', () => {
    expect(target.session).toEqual({ kind: 'bearer', token: '/token', header: 'authorization', scheme: 'Bearer', source: 'src/app/api/v1/sessions/route.ts:28' });
    expect(target.login).toEqual({
      method: 'POST',
      path: '/api/v1/sessions',
      json: { username: '{{account.id}}', password: '{{account.password}}' },
      source: 'src/app/api/v1/sessions/route.ts:13',
    });
  });

  it('finds the database reads, the Gemini route and its plain-text answer', () => {
    expect(target.reads?.map((r) => r.path)).toEqual(['/api/v1/me', '/api/v1/tallies', '/api/v1/trails']);
    expect(target.chat).toMatchObject({
      request: { method: 'POST', path: '/api/v1/ranger', json: { question: '{{message}}' }, source: 'src/app/api/v1/ranger/route.ts:30' },
      streamFormat: 'text',
      source: 'src/app/api/v1/ranger/route.ts:41',
    });
  });

  it('describes the counter race: create, concurrent deltas, final read, cleanup', () => {
    expect(target.lostUpdate).toEqual([
      {
        mode: 'counter',
        create: { method: 'POST', path: '/api/v1/tallies', json: { label: 'genie-fix {{run}}' }, capture: { tallyId: '/tally/id' }, source: 'src/app/api/v1/tallies/route.ts:14' },
        adjust: { method: 'POST', path: '/api/v1/tallies/{{capture.tallyId}}/points', json: { delta: '{{delta}}' }, source: 'src/app/api/v1/tallies/[tallyId]/points/route.ts:20' },
        read: { method: 'GET', path: '/api/v1/tallies/{{capture.tallyId}}', source: 'src/app/api/v1/tallies/[tallyId]/route.ts:6' },
        value: '/tally/points',
        delta: 1,
        cleanup: { method: 'DELETE', path: '/api/v1/tallies/{{capture.tallyId}}', source: 'src/app/api/v1/tallies/[tallyId]/route.ts:15' },
        source: 'src/app/api/v1/tallies/[tallyId]/points/route.ts:20',
      },
    ]);
  });

  it('leaves nothing unresolved and keeps routes in step for the scenarios that read them', () => {
    expect(target.unresolved).toBeUndefined();
    expect(JSON.stringify(raw)).not.toContain('TODO');
    expect(raw.routes).toEqual({ login: '/api/v1/sessions', profile: '/api/v1/me', tripsActive: '/api/v1/tallies', checklist: '/api/v1/trails', chat: '/api/v1/ranger', health: '/api/health' });
  });
});

describe('init on the other apps', () => {
  it('genie-app: cookie login, data stream, the expenses counter keyed by a body id', () => {
    const { target } = describeDir('examples/genie-app');
    expect(target.session).toMatchObject({ kind: 'cookie' });
    expect(target.login?.json).toEqual({ email: '{{account.id}}', password: '{{account.password}}' });
    // GET /api/expenses answers 400 without ?tripId: not a read pool-exhaustion can call as it is.
    expect(target.reads?.map((r) => r.path)).toEqual(['/api/checklist', '/api/trips', '/api/trips/active']);
    expect(target.chat).toMatchObject({ request: { path: '/api/chat/stream', json: { message: '{{message}}' } }, streamFormat: 'data-stream' });
    expect(target.lostUpdate?.[0]).toMatchObject({
      mode: 'counter',
      create: { path: '/api/trips', capture: { tripId: '/trip/id' } },
      adjust: { path: '/api/expenses', json: { tripId: '{{capture.tripId}}', amount: '{{delta}}' } },
      read: { path: '/api/expenses?tripId={{capture.tripId}}' },
      value: '/trip/totalSpent',
    });
  });

  it('tidepool (unseen): cookie set with res.cookies.set, an SDK stream as text, the counters it cannot race named', () => {
    const { target } = describeDir('test/fixtures/unseen-apps/tidepool');
    expect(target.session).toEqual({ kind: 'cookie', source: 'src/app/api/auth/login/route.ts:20' });
    expect(target.login?.json).toEqual({ email: '{{account.id}}', password: '{{account.password}}' });
    expect(target.chat).toMatchObject({ request: { path: '/api/chat', json: { message: '{{message}}' } }, streamFormat: 'text' });
    expect(target.lostUpdate).toBeUndefined();
    expect(todosOf(target)).toEqual([
      expect.stringMatching(/^src\/app\/api\/generate\/route\.ts:\d+ POST \/api\/generate also calls Gemini \(src\/lib\/gemini\.ts:8\)/),
      expect.stringMatching(/^src\/app\/api\/orders\/\[id\]\/status\/route\.ts:14 TODO: POST \/api\/orders\/\{id\}\/status writes a value computed from one it read/),
      expect.stringMatching(/^src\/app\/api\/posts\/\[id\]\/like\/route\.ts:8 TODO: post\.likes .* no route creates a post/),
      expect.stringMatching(/^src\/app\/api\/wallet\/purchase\/route\.ts:18 TODO: POST \/api\/wallet\/purchase subtracts a request value/),
      expect.stringMatching(/^\(no route\) TODO: no GET route without path parameters reads the database/),
    ]);
  });

  it('harbor (unseen): a login that sets no session and a JSON-answering Gemini route are marked TODO', () => {
    const { target } = describeDir('test/fixtures/unseen-apps/harbor');
    expect(target.session).toMatchObject({ kind: 'cookie', todo: 'TODO: the login answer sets no cookie and carries no token that I could find' });
    expect(target.login?.path).toBe('/api/auth/signin');
    expect(target.chat).toMatchObject({ request: { path: '/api/assistant', json: { question: '{{message}}' } }, streamFormat: 'auto' });
    expect(target.chat?.todo).toContain('answers JSON, not a stream');
    expect(target.reads?.map((r) => r.path)).toEqual(['/api/feed']);
    expect(todosOf(target).join('\n')).toMatch(/app\/api\/tasks\/\[id\]\/route\.ts:\d+ TODO: PATCH \/api\/tasks\/\{id\} writes a value computed from one it read/);
  });

  it('reads destructured casts, answers built in a variable, pages/api handlers, wrapped exports, Gemini two imports away', () => {
    const dir = app('inline', {
      'package.json': '{"dependencies":{"next":"16.0.0"}}',
      'app/api/login/route.ts': `
export const POST = withLog(async (req: Request) => {
  const { handle, secret } = (await req.json()) as { handle: string; secret: string };
  const ok = await checkPassword(secret, handle);
  const payload = { session: { accessToken: 'x' } };
  return Response.json(payload);
});
declare function withLog<T>(f: T): T;
declare function checkPassword(a: string, b: string): Promise<boolean>;
`,
      'app/api/ask/route.ts': `
import { answer } from '../../../lib/answer';
export async function POST(req: Request) {
  const { prompt } = (await req.json()) as { prompt: string };
  return new Response(await answer(prompt), { headers: { 'content-type': 'text/plain; charset=utf-8' } });
}
`,
      'lib/answer.ts': `import { callModel } from './model';\nexport async function answer(p: string) { return callModel(p); }\n`,
      'lib/model.ts': `export async function callModel(p: string) {
  const r = await fetch(\`\${process.env.GEMINI_BASE_URL}/v1beta/models/m:streamGenerateContent?alt=sse\`, { method: 'POST', body: p });
  return r.body!;
}
`,
      'pages/api/notes/index.ts': `
export default async function handler(req: any, res: any) {
  if (req.method === 'POST') { const n = await db.note.create({ data: { title: req.body.title } }); return res.status(201).json({ note: n }); }
  res.json({ notes: await db.note.findMany() });
}
declare const db: any;
`,
    });
    const { target, lines } = describeDir(dir);
    expect(target.session).toMatchObject({ kind: 'bearer', token: '/session/accessToken' });
    expect(target.login?.json).toEqual({ handle: '{{account.id}}', secret: '{{account.password}}' });
    expect(target.reads?.map((r) => r.path)).toEqual(['/api/notes']);
    expect(lines[0]).toBe('login      POST /api/login  (app/api/login/route.ts:2), session: bearer token at /session/accessToken');
    // Gemini two imports away from the route (route → lib/answer → lib/model's fetch).
    expect(target.chat).toMatchObject({ request: { path: '/api/ask', json: { prompt: '{{message}}' }, source: 'app/api/ask/route.ts:3' }, streamFormat: 'text', source: 'lib/model.ts:2' });
  });
});

describe('init on counters written in other shapes', () => {
  it('records answered as they are, a delta computed into a local first, the id from the body', () => {
    const dir = app('counter-shapes', {
      'package.json': '{"dependencies":{"next":"16.0.0"}}',
      'app/api/jars/route.ts': `
export async function POST(req: Request) {
  const { name } = (await req.json()) as { name: string };
  const jar = await db.jar.create({ data: { name } });
  return Response.json(jar, { status: 201 });
}
declare const db: any;
`,
      'app/api/jars/[jarId]/route.ts': `
export async function GET(_req: Request, { params }: { params: Promise<{ jarId: string }> }) {
  const { jarId } = await params;
  const jar = await db.jar.findUnique({ where: { id: jarId } });
  return Response.json(jar);
}
declare const db: any;
`,
      'app/api/coins/route.ts': `
export async function POST(req: Request) {
  const body = await req.json();
  const jar = await db.jar.findUnique({ where: { id: body.jarId } });
  const coins = jar.coins + Number(body.amount);
  await db.jar.update({ where: { id: jar.id }, data: { coins } });
  return Response.json({ ok: true });
}
declare const db: any;
`,
    });
    const { target } = describeDir(dir);
    expect(target.lostUpdate).toEqual([
      {
        mode: 'counter',
        create: { method: 'POST', path: '/api/jars', json: { name: 'genie-fix {{run}}' }, capture: { jarId: '/id' }, source: 'app/api/jars/route.ts:2' },
        adjust: { method: 'POST', path: '/api/coins', json: { jarId: '{{capture.jarId}}', amount: '{{delta}}' }, source: 'app/api/coins/route.ts:6' },
        read: { method: 'GET', path: '/api/jars/{{capture.jarId}}', source: 'app/api/jars/[jarId]/route.ts:2' },
        value: '/coins',
        delta: 1,
        source: 'app/api/coins/route.ts:6',
      },
    ]);
  });
});

describe('init on AI SDK apps', () => {
  it('finds streamText with a Google model (defined in lib/) and its plain-text answer', () => {
    const dir = app('ai-sdk', {
      'package.json': '{"dependencies":{"next":"16.0.0","ai":"6.0.0","@ai-sdk/google":"3.0.0"}}',
      'lib/model.ts': `import { createGoogleGenerativeAI } from '@ai-sdk/google';
export const gemini = createGoogleGenerativeAI({ baseURL: process.env.GEMINI_BASE_URL })('gemini-2.0-flash');
`,
      'app/api/coach/route.ts': `import { streamText } from 'ai';
import { gemini } from '../../../lib/model';
export async function POST(req: Request) {
  const { prompt } = (await req.json()) as { prompt: string };
  const result = streamText({ model: gemini, prompt });
  return result.toTextStreamResponse();
}
`,
    });
    const { target } = describeDir(dir);
    expect(target.chat).toMatchObject({ request: { path: '/api/coach', json: { prompt: '{{message}}' } }, streamFormat: 'text', source: 'app/api/coach/route.ts:5' });
  });

  it('sends one AI SDK UI message to a useChat route, and sees a cookie set through a cookies() jar', () => {
    const dir = app('ai-sdk-ui', {
      'package.json': '{"dependencies":{"next":"16.0.0","ai":"6.0.0","@ai-sdk/google":"3.0.0"}}',
      'app/api/chat/route.ts': `import { convertToModelMessages, streamText } from 'ai';
import { google } from '@ai-sdk/google';
export async function POST(req: Request) {
  const { messages } = await req.json();
  const result = streamText({ model: google('gemini-2.0-flash'), messages: convertToModelMessages(messages) });
  return result.toUIMessageStreamResponse();
}
`,
      'app/api/login/route.ts': `import { cookies } from 'next/headers';
export async function POST(req: Request) {
  const { email, password } = await req.json();
  if (!(await checkPassword(email, password))) return Response.json({ error: 'no' }, { status: 401 });
  const jar = await cookies();
  jar.set('sid', 'x');
  return Response.json({ ok: true });
}
declare function checkPassword(a: string, b: string): Promise<boolean>;
`,
    });
    const { target } = describeDir(dir);
    expect(target.session).toEqual({ kind: 'cookie', source: 'app/api/login/route.ts:2' });
    expect(target.chat).toMatchObject({
      request: { path: '/api/chat', json: { messages: [{ id: 'genie-{{vu}}', role: 'user', parts: [{ type: 'text', text: '{{message}}' }] }] } },
      streamFormat: 'ui-message-stream',
    });
  });
});

describe('genie-fix init (CLI)', () => {
  const cli = (args: string[]) => spawnSync(process.execPath, ['bin/genie-fix.js', 'init', ...args], { encoding: 'utf8', timeout: 60_000 });

  it('writes the file, refuses to overwrite it without --force, exits 2 on a folder without routes', () => {
    const out = join(tmp, 'trailhead.json');
    const first = cli(['examples/trailhead', '--out', out]);
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('wrote ');
    expect(parseConfig(JSON.parse(readFileSync(out, 'utf8'))).target?.session.kind).toBe('bearer');

    const again = cli(['examples/trailhead', '--out', out]);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain('already exists (pass --force');
    expect(again.stderr).not.toMatch(/\n\s+at /);
    expect(cli(['examples/trailhead', '--out', out, '--force']).status).toBe(0);

    const empty = cli([tmp]);
    expect(empty.status).toBe(2);
    expect(empty.stderr).toMatch(/^genie-fix: no route handlers in /);
  });
});
