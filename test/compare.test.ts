import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { compareReports, readReport } from '../src/report/compare.ts';
import type { Report } from '../src/report/types.ts';

const run = promisify(execFile);
const root = new URL('../', import.meta.url).pathname;
const fixtures = join(root, 'test/fixtures/reports');
const fx = (name: string) => join(fixtures, name);
const tmp = mkdtempSync(join(tmpdir(), 'genie-compare-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', [join(root, 'bin/genie-fix.js'), 'compare', ...args], { cwd: root, env: { ...process.env, GITHUB_ACTIONS: '', FORCE_COLOR: '0' } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('compareReports (pure)', () => {
  const after = readReport(fx('after.json'));
  const before = readReport(fx('before.json'));
  const regressed = readReport(fx('regressed.json'));

  it('a report against itself has no regression and every row is unchanged', () => {
    for (const r of [after, before]) {
      const { rows, regressions } = compareReports(r, r);
      expect(regressions).toEqual([]);
      expect(rows.length).toBeGreaterThan(20);
      expect(new Set(rows.map((x) => x.status))).toEqual(new Set(['same']));
    }
  });

  it('pass → fail and a new lost update are regressions, named by scenario and metric', () => {
    const { regressions } = compareReports(after, regressed);
    const named = regressions.map((r) => `${r.scenario} ${r.metric}`);
    expect(named).toContain('pool-exhaustion verdict');
    expect(named).toContain('pool-exhaustion errorRatePct');
    expect(named).toContain('pool-exhaustion p95Ms');
    expect(named).toContain('lost-update verdict');
    expect(named).toContain('lost-update lost');
    expect(new Set(regressions.map((r) => r.scenario))).toEqual(new Set(['pool-exhaustion', 'lost-update']));
    expect(regressions.find((r) => r.metric === 'lost')).toEqual({ scenario: 'lost-update', metric: 'lost', baseline: 0, current: 2, reason: 'lost got worse: 0 → 2, tolerance 0' });
  });

  it('tolerances: p95 within 20 % is worse, past it regressed; an override widens it', () => {
    const slower: Report = structuredClone(after);
    const pool = slower.scenarios[0]!;
    pool.metrics.p95Ms = 431 * 1.15;
    expect(compareReports(after, slower).rows.find((r) => r.metric === 'p95Ms')!.status).toBe('worse');
    pool.metrics.p95Ms = 431 * 1.5;
    expect(compareReports(after, slower).regressions.map((r) => r.metric)).toEqual(['p95Ms']);
    expect(compareReports(after, slower, { tolerances: { p95Ms: 60 } }).regressions).toEqual([]);
    // Error rate: one percentage point of slack, no more.
    pool.metrics.p95Ms = 431;
    pool.metrics.errorRatePct = 1;
    expect(compareReports(after, slower).regressions).toEqual([]);
    pool.metrics.errorRatePct = 2;
    expect(compareReports(after, slower).regressions.map((r) => r.metric)).toEqual(['errorRatePct']);
  });

  it('brute-force protection switched off is a regression even though the scenario passes', () => {
    const open: Report = structuredClone(after);
    open.scenarios.find((s) => s.id === 'shared-ip-login')!.metrics.bruteForceLimited = false;
    expect(compareReports(after, open).regressions.map((r) => `${r.scenario} ${r.metric}`)).toEqual(['shared-ip-login bruteForceLimited']);
  });

  it('a fixed scenario (fail → pass) is never a regression, even where a figure got slower', () => {
    const { rows, regressions } = compareReports(before, after);
    expect(regressions).toEqual([]);
    expect(rows.find((r) => r.scenario === 'gemini-429' && r.metric === 'ttftP95Ms')!.status).toBe('worse');
    expect(rows.filter((r) => r.metric === 'verdict').map((r) => r.status)).toEqual(['better', 'better', 'better', 'better', 'better']);
  });
});

describe('readReport', () => {
  it.each([
    ['corrupt.json', /^report .*corrupt\.json is not valid JSON: /],
    ['foreign.json', /foreign\.json is not a genie-fix report/],
    ['future.json', /^report schemaVersion 2 is newer than this genie-fix reads \(1\): upgrade genie-fix$/],
    ['missing.json', /^cannot read report .*missing\.json: no such file$/],
  ])('%s → one-line usage error', (name, message) => {
    let caught: unknown;
    try { readReport(fx(name)); } catch (err) { caught = err; }
    expect(caught).toMatchObject({ name: 'UsageError', exitCode: 2 });
    expect((caught as Error).message).toMatch(message);
    expect((caught as Error).message).not.toContain('\n');
  });

  it('names the field of a report that does not match the schema', () => {
    const bad = structuredClone(readReport(fx('after.json'))) as unknown as { scenarios: Array<{ verdict: string }> };
    bad.scenarios[1]!.verdict = 'maybe';
    const path = join(tmp, 'bad-verdict.json');
    writeFileSync(path, JSON.stringify(bad));
    expect(() => readReport(path)).toThrow(/does not match schema\/report.schema.json at scenarios\.1\.verdict/);
  });
});

describe('genie-fix compare (the bin)', () => {
  it('a report against itself → exit 0, table printed', async () => {
    const r = await cli(fx('after.json'), fx('after.json'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/pool-exhaustion\n\s+metric\s+baseline\s+current\s+delta\s+status/);
    expect(r.stdout).toContain('no regression');
    expect(r.stderr).toBe('');
  });

  it('pass → fail → exit 1, one line per regression naming scenario and metric', async () => {
    const r = await cli(fx('after.json'), fx('regressed.json'));
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('regression: '));
    expect(lines).toContain('regression: lost-update lost: lost got worse: 0 → 2, tolerance 0');
    expect(lines.some((l) => l.startsWith('regression: pool-exhaustion verdict: verdict went from pass to fail'))).toBe(true);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^genie-fix: \d+ regression\(s\) in pool-exhaustion, lost-update against /)]);
  });

  it('--json prints rows and regressions on stdout', async () => {
    const r = await cli('--json', fx('after.json'), fx('regressed.json'));
    expect(r.code).toBe(1);
    const parsed = JSON.parse(r.stdout) as { regressions: Array<{ scenario: string }>; rows: unknown[] };
    expect(parsed.regressions.length).toBeGreaterThan(2);
    expect(parsed.rows.length).toBeGreaterThan(20);
  });

  it('--tolerance widens a metric', async () => {
    const slower = structuredClone(readReport(fx('after.json')));
    slower.scenarios[0]!.metrics.p95Ms = 700;
    const path = join(tmp, 'slower.json');
    writeFileSync(path, JSON.stringify(slower));
    expect((await cli(fx('after.json'), path)).code).toBe(1);
    expect((await cli('--tolerance', 'p95Ms=80', fx('after.json'), path)).code).toBe(0);
  });

  it.each(['corrupt.json', 'foreign.json', 'future.json'])('%s → exit 2, one line, no stack', async (name) => {
    const r = await cli(fx('after.json'), fx(name));
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^genie-fix: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
