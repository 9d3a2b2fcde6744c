/**
 * diagnose as a CI gate: --preset picks the rules (one source of truth per scenario), --runs folds
 * repeated runs into medians, and GitHub Actions annotations go to stdout.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { annotationsWanted } from '../src/commands/diagnose.ts';
import { judge, loadPreset, rulesFor } from '../src/diagnose/rules.ts';
import { diagnose } from '../src/diagnose/run.ts';
import { verdictFrom } from '../src/report/thresholds.ts';
import type { Report } from '../src/report/types.ts';
import { startReferenceServer, type DefectFlags, type ReferenceServer } from './reference-server/server.ts';

const root = mkdtempSync(join(tmpdir(), 'genie-diagnose-ci-'));
const servers: ReferenceServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  rmSync(root, { recursive: true, force: true });
});

async function serve(flags: DefectFlags = {}): Promise<ReferenceServer> {
  const s = await startReferenceServer(flags);
  servers.push(s);
  return s;
}

const quiet = () => undefined;

/** The CLI in a child process, asynchronously so the reference server in this process keeps answering. */
function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/genie-fix.js', ...args], { env: { ...process.env, GITHUB_ACTIONS: '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('threshold rules: the preset file is the source of truth', () => {
  it('judges by the preset: latency warns in default, fails in strict', () => {
    const metrics = { errorRatePct: 0, p95Ms: 4000 };
    const def = judge('pool-exhaustion', metrics, loadPreset('default'), undefined);
    expect(def.find((r) => r.metric === 'p95Ms')).toMatchObject({ level: 'warn', expected: 3000, passed: false });
    expect(verdictFrom(def)).toBe('pass');
    const strict = judge('pool-exhaustion', metrics, loadPreset('strict'), undefined);
    expect(strict.find((r) => r.metric === 'p95Ms')).toMatchObject({ level: 'error', expected: 2000, passed: false });
    expect(verdictFrom(strict)).toBe('fail');
  });

  it('applies config thresholds and levels by metric name', () => {
    const settings = { thresholds: { errorRatePct: 60 }, levels: { p95Ms: 'off' as const } };
    expect(rulesFor('pool-exhaustion', loadPreset('strict'), settings).map((r) => [r.metric, r.level, r.expected])).toEqual([
      ['errorRatePct', 'error', 60],
      ['p95Ms', 'off', 2000],
      ['errorsByClass.tooManyClients', 'error', 0],
    ]);
    const results = judge('pool-exhaustion', { errorRatePct: 58, p95Ms: 9000 }, loadPreset('strict'), settings);
    expect(results.map((r) => [r.metric, r.expected, r.passed])).toEqual([['errorRatePct', 60, true]]);
  });
});

describe('a config threshold on the CLI', () => {
  it('{ "bruteForceLimited": true } exits 0 against a correct server and is judged by the preset rule', async () => {
    const server = await serve();
    const config = join(root, 'brute.json');
    writeFileSync(config, JSON.stringify({ scenarios: { 'shared-ip-login': { thresholds: { bruteForceLimited: true } } } }));
    const out = join(root, 'brute');
    const r = await cli(['diagnose', '--url', server.url, '--scenario', 'shared-ip-login', '--users', '12', '--config', config, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
    expect(report.scenarios[0]!.thresholds.bruteForceLimited).toMatchObject({ level: 'error', operator: '==', expected: true, actual: true, passed: true });
  }, 90_000);

  it('a threshold naming no rule (an old key) exits 2 before any load, naming the metrics to use', async () => {
    const config = join(root, 'old-key.json');
    writeFileSync(config, JSON.stringify({ scenarios: { 'pool-exhaustion': { thresholds: { maxP95Ms: 9000 } } } }));
    const r = await cli(['diagnose', '--url', 'http://127.0.0.1:9', '--config', config]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/scenarios\.pool-exhaustion\.thresholds\.maxP95Ms: no rule of pool-exhaustion reads the metric "maxP95Ms"/);
    expect(r.stderr).toMatch(/errorRatePct, p95Ms/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});

describe('diagnose --runs and --preset against the reference server', () => {
  it('folds three runs into medians and says so in the evidence', async () => {
    const server = await serve({ tinyPool: true });
    const out = join(root, 'runs');
    // 30 users, as in diagnose.test.ts: enough concurrency that the tiny pool times out even on a busy machine.
    const result = await diagnose({ url: server.url, users: 30, runs: 3, scenarios: ['pool-exhaustion'], out, log: quiet });
    const s = result.report.scenarios[0]!;
    expect(result.report.scenarios).toHaveLength(1);
    expect(s.verdict).toBe('fail');
    expect(s.summary).toMatch(/^Median of 3 runs: /);
    const runs = s.evidence.find((e) => e.kind === 'runs');
    expect(runs?.message).toMatch(/^3 runs, verdicts: fail, fail, fail/);
    expect(s.thresholds.errorRatePct).toMatchObject({ level: 'error', passed: false });
    // The written report is the aggregate, not one run.
    const written = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
    expect(written.scenarios[0]!.evidence.some((e) => e.kind === 'runs')).toBe(true);
    expect(result.exitCode).toBe(1);
  }, 120_000);

  it('rejects --runs out of range and an unknown preset as usage errors', async () => {
    await expect(diagnose({ url: 'http://127.0.0.1:9', runs: 0, log: quiet })).rejects.toThrow('--runs must be an integer from 1 to 20, got 0');
    await expect(diagnose({ url: 'http://127.0.0.1:9', preset: 'lenient', log: quiet })).rejects.toThrow('unknown threshold preset "lenient"');
    const r = await cli(['diagnose', '--url', 'http://127.0.0.1:9', '--preset', 'lenient']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/lenient/);
  }, 60_000);
});

describe('GitHub Actions annotations', () => {
  it('are wanted only under GITHUB_ACTIONS=true and without --json', () => {
    expect(annotationsWanted({ GITHUB_ACTIONS: 'true' }, undefined)).toBe(true);
    expect(annotationsWanted({ GITHUB_ACTIONS: 'true' }, true)).toBe(false);
    expect(annotationsWanted({}, undefined)).toBe(false);
  });

  it('prints ::error for a failing scenario on stdout under GitHub Actions, and keeps --json stdout pure', async () => {
    const server = await serve({ truncatingBuffer: true });
    const args = ['diagnose', '--url', server.url, '--scenario', 'buffer-truncation', '--users', '4'];
    const gha = await cli([...args, '--out', join(root, 'gha')], { GITHUB_ACTIONS: 'true' });
    expect(gha.code).toBe(1);
    const annotations = gha.stdout.split('\n').filter((l) => l.startsWith('::'));
    expect(annotations).toHaveLength(1);
    expect(annotations[0]).toMatch(/^::error title=genie-fix buffer-truncation failed::.*truncated/);

    const json = await cli([...args, '--json', '--out', join(root, 'json')], { GITHUB_ACTIONS: 'true' });
    expect(json.code).toBe(1);
    expect(json.stdout).not.toContain('::error');
    expect((JSON.parse(json.stdout) as Report).scenarios[0]!.verdict).toBe('fail');

    const local = await cli([...args, '--out', join(root, 'local')]);
    expect(local.stdout).not.toContain('::error');
  }, 180_000);
});
