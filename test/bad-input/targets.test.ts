/**
 * Odd targets: a closed port, one that never answers, one that answers slowly. Each ends with the
 * documented code and says what it saw: unreachable is not the same as slow.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort, expectRefusal, genieFix, misbehavingServer, quickConfig, tempDir, type TestServer } from './helpers.ts';

let dir: string;
const servers: TestServer[] = [];
beforeAll(() => {
  dir = tempDir('targets');
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  fs.rmSync(dir, { recursive: true, force: true });
});

async function serve(...args: Parameters<typeof misbehavingServer>): Promise<TestServer> {
  const s = await misbehavingServer(...args);
  servers.push(s);
  return s;
}

describe('diagnose against odd targets', () => {
  it('a closed port: exit 3, unreachable', async () => {
    const port = await closedPort();
    const run = await genieFix(['diagnose', '--url', `http://127.0.0.1:${port}`, '--out', path.join(dir, 'closed')]);
    expectRefusal(run, 3, new RegExp(`target http://127\\.0\\.0\\.1:${port} is unreachable`));
  });

  it('a target that accepts connections and never answers: exit 3, "too slow or stuck, not down"', async () => {
    const target = await serve('never');
    const config = quickConfig(dir, 1000);
    const run = await genieFix(['diagnose', '--url', target.url, '--config', config, '--out', path.join(dir, 'never')]);
    expectRefusal(run, 3, /accepted the connection but did not answer GET \/api\/health within 1 s: it is too slow or stuck, not down/);
  });

  it('a slow target is run, called slow, and logging in stops early when every login fails the same way', async () => {
    const target = await serve({ slowMs: 2500, status: 401 });
    const config = quickConfig(dir, 5000);
    const started = Date.now();
    const run = await genieFix(['diagnose', '--url', target.url, '--config', config, '--scenario', 'pool-exhaustion', '--users', '100', '--out', path.join(dir, 'slow')], { timeoutMs: 90_000 });
    expect(run.stderr).toMatch(/target is slow: GET \/api\/health took 2\.\d s/);
    expect(run.stderr).toMatch(/0 of 100 accounts logged in with \d+ login requests; stopped early: every login failed the same way; failures: HTTP 401 ×\d+/);
    // Health check + at most 8 logins and the ones already in flight (4 at a time): not 100 logins of 2.5 s each.
    expect(target.requests).toBeLessThanOrEqual(1 + 8 + 4);
    expect(Date.now() - started).toBeLessThan(45_000);
    expect(run.code).toBe(1);
    expect(run.stderr).not.toMatch(/\n\s+at |internal error|unreachable/);
  });
});
