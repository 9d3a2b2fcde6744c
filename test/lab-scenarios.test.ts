/**
 * The three later scenarios against the real lab (unpatched sample app, 2 instances): session ids
 * pass (randomBytes(32)), chats cost several database transactions each (no cache), and concurrent
 * uploads grow the app processes' RSS by more than a file size each (whole files in memory).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diagnose } from '../src/diagnose/run.ts';
import { labDown, labUp, type LabInfo } from '../src/lab/index.ts';

const labDir = mkdtempSync(join(tmpdir(), 'genie-extra-lab-'));
const out = join(labDir, 'report');
let lab: LabInfo;

beforeAll(async () => {
  lab = await labUp({ labDir, instances: 2 });
}, 600_000);

afterAll(async () => {
  await labDown({ labDir }).catch(() => undefined);
  rmSync(labDir, { recursive: true, force: true });
}, 120_000);

describe('cache-effectiveness, upload-memory and session-id on the unpatched lab', () => {
  it('measures transactions per chat, peak RSS and session ids; no session id in the report', async () => {
    const config = join(labDir, 'config.json');
    // Smaller than the defaults to keep the test short; no waiting on the login limiter.
    writeFileSync(config, JSON.stringify({ payloads: { uploads: 10, uploadMb: 8, cacheChats: 20, sessionIdMaxWaitMs: 0 } }));
    const result = await diagnose({
      url: lab.url,
      databaseUrl: lab.databaseUrl,
      labDir,
      config,
      users: 20,
      scenarios: ['cache-effectiveness', 'upload-memory', 'session-id'],
      out,
      log: () => undefined,
    });
    const byId = Object.fromEntries(result.report.scenarios.map((s) => [s.id, s]));
    const cache = byId['cache-effectiveness']!;
    const upload = byId['upload-memory']!;
    const session = byId['session-id']!;

    expect(cache.verdict, cache.summary).toBe('fail');
    expect(cache.metrics.xactPerChat as number).toBeGreaterThanOrEqual(2.5);

    expect(upload.verdict, upload.summary).toBe('fail');
    expect(upload.metrics.ok).toBe(10);
    expect(upload.metrics.rssPerUploadRatio as number).toBeGreaterThanOrEqual(1);

    expect(session.verdict, session.summary).toBe('pass');
    expect(session.metrics).toMatchObject({ alphabet: 'hex', minLength: 64, duplicates: 0, structureFound: false });
    expect(session.metrics.sessions as number).toBeGreaterThanOrEqual(20);

    const client = new pg.Client({ connectionString: lab.databaseUrl });
    await client.connect();
    const ids = (await client.query<{ id: string }>('SELECT id FROM sessions')).rows.map((r) => r.id);
    await client.end();
    const text = readFileSync(join(out, 'report.json'), 'utf8') + readFileSync(join(out, 'report.md'), 'utf8');
    for (const id of ids) expect(text.includes(id), 'a session id reached the report').toBe(false);
  }, 240_000);

  it('without --database-url cache-effectiveness is skipped with the reason', async () => {
    const result = await diagnose({ url: lab.url, scenarios: ['cache-effectiveness'], out: join(labDir, 'skip'), log: () => undefined, users: 4 });
    const s = result.report.scenarios[0]!;
    expect(s.verdict).toBe('skip');
    expect(s.summary).toMatch(/--database-url/);
    expect(result.exitCode).toBe(0);
  }, 60_000);
});
