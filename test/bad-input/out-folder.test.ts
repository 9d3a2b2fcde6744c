/** An unwritable --out is refused before the first request, not after every scenario ran. */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectRefusal, genieFix, misbehavingServer, tempDir, type TestServer } from './helpers.ts';

let target: TestServer;
let dir: string;
let file: string;
beforeAll(async () => {
  target = await misbehavingServer('500');
  dir = tempDir('out');
  file = path.join(dir, 'a-file');
  fs.writeFileSync(file, 'not a folder');
});
afterAll(async () => {
  await target.close();
  fs.chmodSync(dir, 0o755);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('diagnose --out', () => {
  it('a file: exit 2, no request sent', async () => {
    const run = await genieFix(['diagnose', '--url', target.url, '--out', file]);
    expectRefusal(run, 2, /--out .*a-file is a file, not a folder/);
    expect(target.requests).toBe(0);
  });

  it('a folder under a file: exit 2, no request sent', async () => {
    const run = await genieFix(['diagnose', '--url', target.url, '--out', path.join(file, 'reports')]);
    expectRefusal(run, 2, /is a file, not a folder \(ENOTDIR\)/);
    expect(target.requests).toBe(0);
  });

  // root writes into a read-only folder anyway, so only another user can see this refusal.
  it.skipIf(process.getuid?.() === 0)('a read-only folder: exit 2, no request sent', async () => {
    const ro = path.join(dir, 'read-only');
    fs.mkdirSync(ro);
    fs.chmodSync(ro, 0o555);
    const run = await genieFix(['diagnose', '--url', target.url, '--out', ro]);
    expectRefusal(run, 2, /read-only is not writable/);
    expect(target.requests).toBe(0);
  });

  it('leaves no probe file behind in a folder it accepted', async () => {
    const ok = path.join(dir, 'ok');
    const run = await genieFix(['diagnose', '--url', target.url, '--out', ok, '--scenario', 'pool-exhaustion', '--users', '2']);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(fs.readdirSync(ok).sort()).toEqual(['junit.xml', 'report.html', 'report.json', 'report.md']);
  });
});

describe('export --out', () => {
  it('a file: exit 2', async () => {
    expectRefusal(await genieFix(['export', 'artillery', '--out', file]), 2, /--out .*a-file is a file, not a folder/);
  });
});
