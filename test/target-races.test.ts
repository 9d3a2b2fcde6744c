/**
 * Lost-update races from a target description, against real node:http servers: a counter changed by
 * read-modify-write with a delay between the read and the write loses writes; an atomic one does not;
 * a record guarded by a version answers 409 and loses nothing.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.ts';
import { CookieJar } from '../src/load/cookies.ts';
import { HttpClient } from '../src/load/http.ts';
import { Timeline } from '../src/load/timeline.ts';
import type { Evidence } from '../src/report/types.ts';
import { runRace, type RaceContext } from '../src/target/races.ts';
import { lostUpdate } from '../scenarios/lost-update.ts';
import { sharedIpLogin } from '../scenarios/shared-ip-login.ts';
import type { ScenarioContext } from '../scenarios/types.ts';
import type { Race } from '../src/target/schema.ts';

const servers: Server[] = [];
const clients: HttpClient[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function bodyOf(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const c of req) text += c;
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}
const send = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
};

/** Counters with string ids; `atomic` decides whether a delta is applied in one step or read, awaited, then written. */
async function counterServer(atomic: boolean): Promise<{ url: string; deleted: string[] }> {
  const counters = new Map<string, { id: string; points: number }>();
  const deleted: string[] = [];
  const server = createServer(async (req, res) => {
    const url = new URL(req.url!, 'http://x');
    const m = /^\/counters\/([\w-]+)(\/add)?$/.exec(url.pathname);
    if (req.method === 'POST' && url.pathname === '/counters') {
      const id = `c-${Math.random().toString(36).slice(2)}`;
      counters.set(id, { id, points: 10 });
      return send(res, 201, { counter: counters.get(id) });
    }
    const row = m && counters.get(m[1]!);
    if (!row) return send(res, 404, { message: 'no such counter' });
    if (req.method === 'GET') return send(res, 200, { counter: row });
    if (req.method === 'DELETE') return void (counters.delete(row.id), deleted.push(row.id), res.writeHead(204).end());
    const { delta } = await bodyOf(req);
    if (atomic) row.points += Number(delta);
    else {
      const seen = row.points;
      await sleep(5);
      row.points = seen + Number(delta);
    }
    send(res, 200, { counter: row });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, deleted };
}

/** One note whose PATCH must carry the version it read (409 otherwise). */
async function versionedNoteServer(): Promise<string> {
  const note = { id: 'n1', text: 'start', version: 0 };
  const server = createServer(async (req, res) => {
    if (req.method === 'POST') return send(res, 201, { note });
    if (req.method === 'GET') return send(res, 200, { note });
    const body = await bodyOf(req);
    await sleep(2);
    if (body.version !== note.version) return send(res, 409, { message: 'edited by someone else' });
    note.text = String(body.text);
    note.version++;
    send(res, 200, { note });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

const counterRace = parseConfig({
  version: 1,
  target: {
    session: { kind: 'header', name: 'x-key', fromEnv: 'UNUSED' },
    lostUpdate: [
      {
        mode: 'counter',
        create: { method: 'POST', path: '/counters', json: { label: 'genie {{run}}' }, capture: { counterId: '/counter/id' } },
        adjust: { method: 'POST', path: '/counters/{{capture.counterId}}/add', json: { delta: '{{delta}}' } },
        read: { path: '/counters/{{capture.counterId}}' },
        value: '/counter/points',
        delta: 3,
        cleanup: { method: 'DELETE', path: '/counters/{{capture.counterId}}' },
      },
      {
        mode: 'record',
        create: { method: 'POST', path: '/notes', capture: { noteId: '/note/id' } },
        read: { path: '/notes/{{capture.noteId}}', capture: { version: '/note/version' } },
        text: '/note/text',
        update: { method: 'PATCH', path: '/notes/{{capture.noteId}}', json: { text: '{{edit}}', version: '{{capture.version}}' } },
      },
    ],
  },
}).target!.lostUpdate as Race[];

function raceContext(url: string, writers: number, retries: number): RaceContext {
  const client = new HttpClient(url, new AbortController().signal, 64);
  clients.push(client);
  return { client, jar: new CookieJar(), signal: new AbortController().signal, timeoutMs: 10_000, writers, retries, runId: 'r1', timeline: new Timeline(), evidence: [] as Evidence[], cleanup: [] };
}

describe('lost-update races from a target description', () => {
  it('counter: a read-modify-write loses acknowledged deltas, and the evidence says how many', async () => {
    const { url, deleted } = await counterServer(false);
    const ctx = raceContext(url, 30, 0);
    const out = await runRace(ctx, counterRace[0]!);
    for (const undo of ctx.cleanup) await undo();
    expect(out.acknowledged).toBe(30);
    expect(out.lost).toBeGreaterThan(0);
    expect(out.reflected + out.lost).toBe(30);
    expect(ctx.evidence[0]?.message).toMatch(/^counter counters add: 30 writes of 3 acknowledged, value went 10 → \d+ \(expected 100\): \d+ lost/);
    expect(deleted).toHaveLength(1);
  });

  it('counter: an atomic update loses nothing', async () => {
    const { url } = await counterServer(true);
    const ctx = raceContext(url, 30, 0);
    expect(await runRace(ctx, counterRace[0]!)).toEqual({ name: 'counter counters add', acknowledged: 30, rejected: 0, errors: 0, reflected: 30, lost: 0 });
    expect(ctx.evidence).toEqual([]);
  });

  it('record: version-checked edits are rejected with 409, retried, and none is lost', async () => {
    const url = await versionedNoteServer();
    const ctx = raceContext(url, 5, 20);
    const out = await runRace(ctx, counterRace[1]!);
    expect(out.lost).toBe(0);
    expect(out.acknowledged).toBeGreaterThan(0);
    expect(out.rejected).toBeGreaterThan(0);
    expect(out.reflected).toBe(out.acknowledged);
  });

  it('lost-update and shared-ip-login skip, with the reason, a described target without a race or a login', async () => {
    const config = parseConfig({ version: 1, target: { session: { kind: 'none' } } });
    const out = await lostUpdate.run({ config } as ScenarioContext);
    expect(out.unmeasured).toEqual({ verdict: 'skip', reason: expect.stringContaining('names no lost-update race (target.lostUpdate)') });
    const login = await sharedIpLogin.run({ config } as ScenarioContext);
    expect(login.unmeasured).toEqual({ verdict: 'skip', reason: 'the target description has no login (session kind none), so there is no login limiter to measure' });
  });
});
