/**
 * diagnose against the real lab (Next.js app, embedded PostgreSQL, mock Gemini, 4 instances):
 * the unpatched sample app must fail all five scenarios, with evidence, and no secret in the report.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diagnose } from '../src/diagnose/run.ts';
import { labDown, labUp, type LabInfo } from '../src/lab/index.ts';

const labDir = mkdtempSync(join(tmpdir(), 'genie-diagnose-lab-'));
const out = join(labDir, 'report');
let lab: LabInfo;

beforeAll(async () => {
  lab = await labUp({ labDir });
}, 600_000);

afterAll(async () => {
  await labDown({ labDir }).catch(() => undefined);
  rmSync(labDir, { recursive: true, force: true });
}, 120_000);

describe('diagnose against the unpatched lab', () => {
  it('fails all five scenarios with evidence, within the time budget', async () => {
    const started = Date.now();
    const result = await diagnose({ url: lab.url, databaseUrl: lab.databaseUrl, out, log: () => undefined });
    const elapsedMs = Date.now() - started;
    const byId = Object.fromEntries(result.report.scenarios.map((s) => [s.id, s]));
    for (const id of ['pool-exhaustion', 'gemini-429', 'lost-update', 'buffer-truncation', 'shared-ip-login']) {
      expect(byId[id]?.verdict, `${id}: ${byId[id]?.summary}`).toBe('fail');
      expect(byId[id]?.evidence.length, id).toBeGreaterThan(0);
    }
    expect(result.exitCode).toBe(1);
    expect(elapsedMs).toBeLessThan(240_000);
    const pool = byId['pool-exhaustion']?.metrics ?? {};
    expect(pool.errorRatePct).toBeGreaterThanOrEqual(50);
    expect(pool.maxConnections).toBeTypeOf('number');
    expect(pool.peakAppConnections).toBeGreaterThan(0);
    expect(byId['gemini-429']?.metrics.aiFailureRatePct).toBeGreaterThanOrEqual(30);
    expect(byId['lost-update']?.metrics.lost).toBeGreaterThanOrEqual(1);
    expect(byId['buffer-truncation']?.metrics.truncated).toBeGreaterThanOrEqual(1);
    expect(byId['shared-ip-login']?.metrics.legitBlocked).toBeGreaterThanOrEqual(80);

    // No secret in any file: the database password, the seeded password, the session ids issued.
    const client = new pg.Client({ connectionString: lab.databaseUrl });
    await client.connect();
    const sessions = (await client.query<{ id: string }>('SELECT id FROM sessions')).rows.map((r) => r.id);
    await client.end();
    expect(sessions.length).toBeGreaterThan(0);
    const secrets = [decodeURIComponent(new URL(lab.databaseUrl).password), lab.testUser.password, ...sessions];
    for (const f of readdirSync(out)) {
      const text = readFileSync(join(out, f), 'utf8');
      for (const s of secrets) expect(text.includes(s), `${f} contains a secret`).toBe(false);
    }
  }, 300_000);
});
