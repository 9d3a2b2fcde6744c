/**
 * Ctrl-C during `demo` (this one starts the real lab, so it is the heavy case of the matrix): exit
 * 130 and one line "interrupted; everything it started is stopped", with no process, port, lab
 * state or app copy left behind.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labDown } from '../../src/lab/index.ts';
import { isPortOpen } from '../../src/lab/ports.ts';
import { processesMentioning } from '../helpers/processes.ts';
import { bin, repo, tempDir } from './helpers.ts';

let dir: string;
let labDir: string;
let demoPid: number | undefined;
beforeAll(() => {
  dir = tempDir('demo-sigint');
  // PostgreSQL runs as the postgres user, which must be able to reach the lab dir inside.
  fs.chmodSync(dir, 0o755);
  labDir = path.join(dir, 'lab');
});
afterAll(async () => {
  if (demoPid) {
    try {
      process.kill(-demoPid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  await labDown({ labDir }).catch(() => undefined);
  fs.rmSync(dir, { recursive: true, force: true });
}, 60_000);

/** Resolves once the lab has started something worth stopping: a recorded process and a port. */
async function labStarting(deadline: number): Promise<{ ports: number[] }> {
  while (Date.now() < deadline) {
    try {
      const state = JSON.parse(fs.readFileSync(path.join(labDir, 'state.json'), 'utf8')) as { processes: unknown[]; ports: Record<string, number> };
      if (state.processes.length > 0 && Object.keys(state.ports).length > 0) return { ports: Object.values(state.ports) };
    } catch {
      /* not written yet, or being replaced */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the lab did not start within the deadline');
}

describe('Ctrl-C during demo', () => {
  it('exits 130 with one line, and leaves nothing running', async () => {
    const child = spawn(process.execPath, [bin, 'demo', '--users', '4', '--instances', '1'], {
      cwd: repo,
      env: { ...process.env, GENIE_LAB_DIR: labDir, FORCE_COLOR: '0', GITHUB_ACTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    demoPid = child.pid;
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

    const { ports } = await labStarting(Date.now() + 240_000);
    child.kill('SIGINT');
    const code = await exited;
    demoPid = undefined;

    expect(code).toBe(130);
    const lines = stderr.trimEnd().split('\n');
    expect(lines.at(-1)).toBe('genie-fix: interrupted; everything it started is stopped');
    expect(stderr).not.toMatch(/\n\s+at |internal error/);
    expect(processesMentioning([labDir])).toEqual([]);
    for (const port of ports) expect(await isPortOpen(port)).toBe(false);
    expect(fs.existsSync(path.join(labDir, 'state.json'))).toBe(false);
    expect(fs.existsSync(path.join(repo, '.genie-lab', 'apps', `demo-${child.pid}`))).toBe(false);
  }, 300_000);
});
