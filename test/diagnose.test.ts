/**
 * diagnose end to end against the reference server: the correct variant passes all five scenarios,
 * each defect flag makes its scenario fail, and the CLI keeps its exit-code contract.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { diagnose } from '../src/diagnose/run.ts';
import { freePort } from '../src/lab/ports.ts';
import { startReferenceServer, type DefectFlags, type ReferenceServer } from './reference-server/server.ts';

const root = mkdtempSync(join(tmpdir(), 'genie-diagnose-'));
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

function cli(args: string[]) {
  const r = spawnSync(process.execPath, ['bin/genie-fix.js', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('diagnose against the reference server', () => {
  it('passes all five scenarios against the correct server, and no secret reaches a report file', async () => {
    const server = await serve();
    const out = join(root, 'correct');
    // The five core scenarios: the reference server has no upload route (upload-memory is tested on the lab).
    const core = ['pool-exhaustion', 'gemini-429', 'lost-update', 'buffer-truncation', 'shared-ip-login'];
    const result = await diagnose({ url: server.url, users: 30, scenarios: core, out, log: quiet });
    const verdicts = Object.fromEntries(result.report.scenarios.map((s) => [s.id, s.verdict]));
    expect(verdicts).toEqual({
      'pool-exhaustion': 'pass',
      'gemini-429': 'pass',
      'lost-update': 'pass',
      'buffer-truncation': 'pass',
      'shared-ip-login': 'pass',
    });
    expect(result.exitCode).toBe(0);
    const lost = result.report.scenarios.find((s) => s.id === 'lost-update');
    expect(lost?.metrics.acknowledged).toBeGreaterThan(0);
    const buffer = result.report.scenarios.find((s) => s.id === 'buffer-truncation');
    expect(buffer?.metrics.receivedChars).toBe(6_000_000);

    const secrets = [...server.issuedSessions(), 'genie-pass-001', 'genie-pass-030'];
    expect(server.issuedSessions().length).toBeGreaterThanOrEqual(60);
    const files = readdirSync(out);
    expect(files).toContain('report.json');
    for (const f of files) {
      const text = readFileSync(join(out, f), 'utf8');
      for (const s of secrets) expect(text.includes(s), `${f} contains a secret`).toBe(false);
    }
  }, 120_000);

  const defects: Array<[keyof DefectFlags, string, string]> = [
    ['tinyPool', 'pool-exhaustion', 'errorRatePct'],
    ['noQueue', 'gemini-429', 'aiFailures'],
    ['blindWrites', 'lost-update', 'lost'],
    ['truncatingBuffer', 'buffer-truncation', 'truncated'],
    ['ipOnlyLimiter', 'shared-ip-login', 'legitBlocked'],
  ];
  for (const [flag, id, metric] of defects) {
    it(`fails ${id} when the server has the defect "${flag}"`, async () => {
      const server = await serve({ [flag]: true });
      const result = await diagnose({ url: server.url, users: 30, scenarios: [id], out: join(root, flag), log: quiet });
      const s = result.report.scenarios[0];
      expect(s?.id).toBe(id);
      expect(s?.verdict).toBe('fail');
      expect(s?.thresholds[metric]?.passed).toBe(false);
      expect(s?.evidence.length).toBeGreaterThan(0);
      expect(result.exitCode).toBe(1);
    }, 90_000);
  }

  it('marks a scenario error when its route answers HTML, and still runs the rest', async () => {
    const server = await serve({ htmlChat: true });
    const result = await diagnose({ url: server.url, users: 10, scenarios: ['pool-exhaustion', 'gemini-429', 'buffer-truncation'], out: join(root, 'html'), log: quiet });
    const byId = Object.fromEntries(result.report.scenarios.map((s) => [s.id, s]));
    expect(byId['gemini-429']?.verdict).toBe('error');
    expect(byId['gemini-429']?.summary).toMatch(/answered HTML where a chat stream was expected/);
    expect(byId['buffer-truncation']?.verdict).toBe('error');
    expect(byId['pool-exhaustion']?.verdict).toBe('pass');
    expect(result.exitCode).toBe(1);
  }, 60_000);

  it('writes a partial report when interrupted', async () => {
    const server = await serve();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const result = await diagnose({ url: server.url, users: 20, out: join(root, 'partial'), log: quiet, signal: controller.signal });
    expect(result.report.partial).toBe(true);
    expect(result.exitCode).toBe(1);
    const written = JSON.parse(readFileSync(join(root, 'partial', 'report.json'), 'utf8')) as { partial?: boolean };
    expect(written.partial).toBe(true);
  }, 60_000);
});

describe('diagnose CLI contract', () => {
  it('exits 3 with one line when the target is unreachable', async () => {
    const port = await freePort();
    const r = cli(['diagnose', '--url', `http://127.0.0.1:${port}`, '--out', join(root, 'unreachable')]);
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/unreachable/);
  }, 60_000);

  it('exits 2 naming every bad config field', () => {
    const file = join(root, 'bad.json');
    writeFileSync(file, JSON.stringify({ routes: { login: 'api/login' }, payloads: { longReplyStreams: 'three' }, typo: 1 }));
    const r = cli(['diagnose', '--url', 'http://127.0.0.1:9', '--config', file]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/invalid --config .*: 3 problems/);
    expect(r.stderr).toMatch(/routes\.login: must start with "\/"/);
    expect(r.stderr).toMatch(/payloads\.longReplyStreams:/);
    expect(r.stderr).toMatch(/typo/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('refuses write scenarios against a non-loopback host without --yes', () => {
    const r = cli(['diagnose', '--url', 'http://example.invalid', '--scenario', 'lost-update']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--yes/);
  }, 60_000);
});
