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
import { parseConfig } from '../src/config.ts';
import { artilleryScripts } from '../src/export/artillery.ts';
import { ensureConditions } from '../src/export/artillery-ensure.ts';
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
    const poolText = readFileSync(join(out, 'pool-exhaustion.yml'), 'utf8');
    const pool = parse(poolText) as { config: { ensure: { conditions: Array<{ expression: string; strict: boolean }> }; phases: Array<{ arrivalCount: number }> } };
    expect(pool.config.phases[0]!.arrivalCount).toBe(100);
    // The preset's rules, levels included: the error rate fails the run, latency warns (as in diagnose).
    expect(pool.config.ensure.conditions).toEqual([
      { expression: '(genie.requests - genie.ok_requests) / genie.requests * 100 <= 1', strict: true },
      { expression: 'http.response_time.p95 <= 3000', strict: false },
    ]);
    expect(poolText).toContain('# Rules Artillery cannot check (genie-fix diagnose does): errorsByClass.tooManyClients <= 0 (error).');
    for (const f of readdirSync(out)) expect(readFileSync(join(out, f), 'utf8')).not.toMatch(/genie-pass-\d/);
    expect(r.stdout).toContain('GENIE_ACCOUNT_PASSWORD');
  });

  it('reads the same preset rules as diagnose, with the target config and the chosen preset applied', () => {
    const config = parseConfig({ scenarios: { 'pool-exhaustion': { thresholds: { p95Ms: 4500 }, levels: { errorRatePct: 'warn' } }, 'shared-ip-login': { thresholds: { bruteForceLimited: true } } } });
    const byId = (preset?: string) => Object.fromEntries(artilleryScripts({ url: 'http://127.0.0.1:1', users: 10, config, preset }).map((s) => [s.id, parse(s.text) as { config: { ensure: { conditions: unknown[] } } }]));
    expect(byId()['pool-exhaustion']!.config.ensure.conditions).toEqual([
      { expression: '(genie.requests - genie.ok_requests) / genie.requests * 100 <= 1', strict: false },
      { expression: 'http.response_time.p95 <= 4500', strict: false },
    ]);
    expect(byId()['shared-ip-login']!.config.ensure.conditions).toEqual([
      { expression: 'genie.logins - genie.ok_logins <= 0', strict: true },
      { expression: 'genie.bruteforce_limited >= 1', strict: true },
    ]);
    // strict gates latency and adds the failure rate per chat.
    expect(byId('strict')['gemini-429']!.config.ensure.conditions).toEqual([
      { expression: 'genie.chats - genie.ok_chats <= 0', strict: true },
      { expression: '(genie.chats - genie.ok_chats) / genie.chats * 100 <= 0', strict: true },
    ]);
    expect(ensureConditions('shared-ip-login', [{ metric: 'bruteForceLimited', level: 'error', operator: '==', expected: false }]).conditions).toEqual([
      { expression: 'not (genie.bruteforce_limited >= 1)', strict: true },
    ]);
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
