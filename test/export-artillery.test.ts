/**
 * `genie-fix export artillery`: the exported shared-ip-login script runs with Artillery's own engine
 * (@artilleryio/int-core, the runner inside every `artillery run` worker) and Artillery's ensure plugin against
 * the reference server, sends the number of requests its header promises, and its ensure conditions evaluate
 * and pass on the correct server. Counter names avoid prefixes of one another: the ensure plugin substitutes
 * metric names textually.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { startReferenceServer, type DefectFlags, type ReferenceServer } from './reference-server/server.ts';

const require = createRequire(import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'genie-export-'));
const servers: ReferenceServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

interface Check {
  original: string;
  result: number;
  strict: boolean;
}

/** What `artillery run` does locally, with Artillery's modules: runner, then the ensure plugin's beforeExit. */
async function artilleryRun(scriptPath: string): Promise<{ counters: Record<string, number>; checks: Check[] }> {
  const core = require('@artilleryio/int-core') as {
    updateGlobalObject(o: { version: string }): Promise<void>;
    runner: { runner(script: unknown, payload: unknown, opts: unknown): Promise<NodeJS.EventEmitter & { run(): void; stop(): Promise<void> }>; runnerFuncs: { loadProcessor(s: unknown, o: unknown): Promise<unknown> } };
    ssms: { SSMS: { pack(p: unknown[]): unknown; summarizeHistogram(h: unknown): unknown } };
  };
  await core.updateGlobalObject({ version: '2.0.21' });
  const g = globalThis as unknown as { artillery: { extensionEvents: Array<{ ext: string; method(d: unknown): Promise<void> }>; globalEvents: NodeJS.EventEmitter; log(...a: unknown[]): void } };
  g.artillery.extensionEvents.length = 0;
  g.artillery.log = () => undefined;
  const script = parse(readFileSync(scriptPath, 'utf8')) as { config: Record<string, unknown> };
  const { Plugin: Ensure } = require('artillery-plugin-ensure') as { Plugin: new (s: unknown, e: unknown) => unknown };
  new Ensure(script, new (require('node:events').EventEmitter)());
  const loaded = await core.runner.runnerFuncs.loadProcessor(script, { scriptPath });
  const ee = await core.runner.runner(loaded, undefined, { scriptPath });
  const totals = await new Promise<{ counters: Record<string, number>; summaries?: Record<string, unknown>; histograms?: Record<string, unknown> }>((resolve) => {
    ee.on('done', (t) => resolve(t));
    ee.run();
  });
  await ee.stop();
  const summaries: Record<string, unknown> = {};
  for (const [name, h] of Object.entries(totals.histograms ?? {})) summaries[name] = core.ssms.SSMS.summarizeHistogram(h);
  const checks: Check[] = [];
  g.artillery.globalEvents.once('checks', (c: Check[]) => checks.push(...c));
  for (const e of g.artillery.extensionEvents.filter((x) => x.ext === 'beforeExit')) {
    await e.method({ report: { counters: totals.counters, rates: {}, summaries } });
  }
  return { counters: totals.counters, checks };
}

function exportTo(out: string, url: string, users: number) {
  const r = spawnSync(process.execPath, ['bin/genie-fix.js', 'export', 'artillery', '--out', out, '--url', url, '--users', String(users)], { encoding: 'utf8', timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  return r;
}

async function serve(flags: DefectFlags = {}) {
  const s = await startReferenceServer(flags);
  servers.push(s);
  return s;
}

describe('export artillery', () => {
  it('writes five scripts and the processor, with ensure thresholds and no password', async () => {
    const out = join(dir, 'files');
    const r = exportTo(out, 'http://127.0.0.1:1', 100);
    expect(readdirSync(out).sort()).toEqual(['buffer-truncation.yml', 'gemini-429.yml', 'genie-processor.cjs', 'lost-update.yml', 'pool-exhaustion.yml', 'shared-ip-login.yml']);
    const pool = parse(readFileSync(join(out, 'pool-exhaustion.yml'), 'utf8')) as { config: { ensure: { conditions: Array<{ expression: string }> }; phases: Array<{ arrivalCount: number }> } };
    expect(pool.config.phases[0]!.arrivalCount).toBe(100);
    expect(pool.config.ensure.conditions.map((c) => c.expression)).toEqual(['(genie.requests - genie.ok_requests) / genie.requests * 100 <= 1', 'http.response_time.p95 <= 5000']);
    for (const f of readdirSync(out)) expect(readFileSync(join(out, f), 'utf8')).not.toMatch(/genie-pass-\d/);
    expect(r.stdout).toContain('GENIE_ACCOUNT_PASSWORD');
  });

  it('runs shared-ip-login with Artillery against the reference server: request count and ensure checks', async () => {
    process.env.GENIE_ACCOUNT_PASSWORD = 'genie-pass-{n:3}';
    const good = await serve();
    const out = join(dir, 'good');
    exportTo(out, good.url, 12);
    const run = await artilleryRun(join(out, 'shared-ip-login.yml'));
    expect(run.counters['http.requests']).toBe(12 + 30);
    expect(run.counters['genie.logins']).toBe(12);
    expect(run.counters['genie.bruteforce_attempts']).toBe(30);
    expect(run.checks.map((c) => [c.original, c.result])).toEqual([
      ['genie.logins - genie.ok_logins <= 0', 1],
      ['genie.bruteforce_limited >= 1', 1],
    ]);
  }, 120_000);
});
