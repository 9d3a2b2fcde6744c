/**
 * The loop for an app genie-fix has never been told about, on the real lab: `init` reads
 * examples/trailhead (bearer tokens, string ids, a counter, a plain-text stream) and writes the
 * target description; `diagnose` with exactly that file and an accounts file reproduces the five
 * core defects, each with evidence, and no password or token reaches the report.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diagnose } from '../src/diagnose/run.ts';
import { init } from '../src/init/index.ts';
import { labDown, labUp, type LabInfo } from '../src/lab/index.ts';

const labDir = mkdtempSync(join(tmpdir(), 'genie-init-lab-'));
let lab: LabInfo;

beforeAll(async () => {
  lab = await labUp({ labDir, app: 'examples/trailhead' });
}, 600_000);

afterAll(async () => {
  await labDown({ labDir }).catch(() => undefined);
  rmSync(labDir, { recursive: true, force: true });
}, 120_000);

/** diagnose on the lab as a user would after init: the written config and trailhead's accounts file. */
function diagnoseTrailhead(config: string, scenarios: string[], out: string, users?: number) {
  return diagnose({ url: lab.url, databaseUrl: lab.databaseUrl, labDir, config, accounts: 'examples/trailhead/accounts.json', scenarios, out, users, log: () => undefined });
}

describe('init, then diagnose with what it wrote, on examples/trailhead', () => {
  // First: shared-ip-login below locks the lab's login out for a while.
  it('cache-effectiveness sends the chat request init described, not the sample app\'s', async () => {
    const config = join(labDir, 'genie-cache.json');
    init({ appDir: 'examples/trailhead', out: config });
    const raw = JSON.parse(readFileSync(config, 'utf8')) as Record<string, unknown>;
    // A short burst and settle: this checks where the chats go, not how many transactions they cost.
    writeFileSync(config, JSON.stringify({ ...raw, payloads: { ...(raw.payloads as object), cacheChats: 8, cacheSettleMs: 500 } }));
    const result = await diagnoseTrailhead(config, ['cache-effectiveness'], join(labDir, 'report-cache'), 4);
    const cache = result.report.scenarios[0]!;
    expect(cache.metrics, cache.summary).toMatchObject({ chats: 8, chatsFailed: 0 });
  }, 300_000);

  it('reproduces pool exhaustion, Gemini 429s, truncated replies, lost updates and shared-IP lockout', async () => {
    const config = join(labDir, 'genie.json');
    const written = init({ appDir: 'examples/trailhead', out: config });
    expect(written.todos).toBe(0);

    const out = join(labDir, 'report');
    const result = await diagnoseTrailhead(config, ['pool-exhaustion', 'gemini-429', 'lost-update', 'buffer-truncation', 'shared-ip-login'], out);
    const byId = Object.fromEntries(result.report.scenarios.map((s) => [s.id, s]));
    for (const s of result.report.scenarios) expect(s.verdict, `${s.id}: ${s.summary}`).toBe('fail');

    expect(byId['pool-exhaustion']!.metrics).toMatchObject({ mechanism: 'server-refused' });
    expect(byId['pool-exhaustion']!.metrics.errors as number).toBeGreaterThan(0);
    expect(byId['gemini-429']!.metrics).toMatchObject({ streamFormat: 'text' });
    expect(byId['gemini-429']!.metrics.aiFailures as number).toBeGreaterThan(0);
    expect(byId['lost-update']!.metrics.lost as number).toBeGreaterThan(0);
    expect(byId['lost-update']!.evidence.map((e) => e.kind)).toContain('lost-counter-writes');
    expect(byId['buffer-truncation']!.metrics).toMatchObject({ streams: 3, truncated: 3 });
    expect(byId['shared-ip-login']!.metrics).toMatchObject({ bruteForceLimited: true });
    expect(byId['shared-ip-login']!.metrics.legitBlocked as number).toBeGreaterThan(0);

    for (const file of readdirSync(out)) {
      const text = readFileSync(join(out, file), 'utf8');
      expect(text, file).not.toMatch(/summit-\d{3}|Bearer [A-Za-z0-9_-]{20,}/);
    }
  }, 600_000);

});
