import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = path.resolve(import.meta.dirname, '..', 'bin', 'genie-fix.js');
let labDir: string;

beforeAll(async () => {
  labDir = await fs.mkdtemp(path.join(os.tmpdir(), 'genie-lab-cli-'));
});
afterAll(async () => {
  await fs.rm(labDir, { recursive: true, force: true });
});

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, GENIE_LAB_DIR: labDir },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('genie-fix lab (CLI errors)', () => {
  it('status of a lab that is not running: exit 2, one line naming the fix', () => {
    const r = run('lab', 'status');
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('genie-fix: lab is not running (start it with genie-fix lab up)');
  });

  it('status --json still prints one JSON object', () => {
    const r = run('lab', 'status', '--json');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({ running: false, processes: [] });
  });

  it('down with nothing running is a no-op: exit 0', () => {
    expect(run('lab', 'down').code).toBe(0);
  });

  it('up --app on a folder that is not a Next.js app: exit 2, no stack trace', async () => {
    const notApp = await fs.mkdtemp(path.join(os.tmpdir(), 'genie-not-app-'));
    try {
      const r = run('lab', 'up', '--app', notApp, '--json');
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`no Next.js app in ${notApp}`);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      await fs.rm(notApp, { recursive: true, force: true });
    }
  });

  it('rejects a bad --instances value with exit 2', () => {
    const r = run('lab', 'up', '--instances', 'many');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--instances must be an integer');
  });
});
