/**
 * A scenario that could not measure what it judges says `error` or `skip`, never `pass`: uploads
 * answered by an HTML page measured no upload, and logins that all failed with 500 say nothing
 * about whether one IP gets blocked.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/types.ts';
import { genieFix, misbehavingServer, quickConfig, tempDir, type TestServer } from './helpers.ts';

let dir: string;
const servers: TestServer[] = [];
beforeAll(() => {
  dir = tempDir('false-passes');
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  fs.rmSync(dir, { recursive: true, force: true });
});

async function diagnoseOne(behaviour: 'html' | '500', scenario: string): Promise<{ code: number | null; stderr: string; verdict: string; summary: string }> {
  const target = await misbehavingServer(behaviour);
  servers.push(target);
  const out = path.join(dir, `${behaviour}-${scenario}`);
  const config = quickConfig(dir, 5000, { payloads: { uploads: 3, uploadMb: 0.2, bruteForceAttempts: 11 } });
  const run = await genieFix(['diagnose', '--url', target.url, '--config', config, '--scenario', scenario, '--users', '5', '--out', out], { timeoutMs: 120_000 });
  const report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8')) as Report;
  const result = report.scenarios.find((s) => s.id === scenario)!;
  return { code: run.code, stderr: run.stderr, verdict: result.verdict, summary: result.summary };
}

describe('no pass without a measurement', () => {
  it('upload-memory against a server that answers HTML to everything: error, naming routes.upload', async () => {
    const r = await diagnoseOne('html', 'upload-memory');
    expect(r.verdict).toBe('error');
    expect(r.summary).toMatch(/HTML page.*routes\.upload/);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
  });

  it('shared-ip-login when every login got 500: error, not "0 of 5 users were blocked"', async () => {
    const r = await diagnoseOne('500', 'shared-ip-login');
    expect(r.verdict).toBe('error');
    expect(r.summary).toMatch(/every one of the 5 logins failed .*HTTP 500/);
    expect(r.summary).not.toMatch(/were blocked/);
    expect(r.code).toBe(1);
  });
});
