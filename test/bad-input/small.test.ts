/** The small cases of the bad-input matrix, each in the words a new user would meet it. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectRefusal, genieFix, tempDir } from './helpers.ts';

let dir: string;
beforeAll(() => {
  dir = tempDir('small');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('small cases', () => {
  it('genie-fix with no command: exit 2 with the help on stderr', async () => {
    const run = await genieFix([]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^Usage: genie-fix \[options\] \[command\]/);
    expect(run.stdout).toBe('');
  });

  it('--help and --version still exit 0 (version from package.json)', async () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string };
    expect(await genieFix(['--version'])).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
    expect((await genieFix(['--help'])).code).toBe(0);
  });

  it('help apply lists the codemods, as apply --help does', async () => {
    const viaHelp = await genieFix(['help', 'apply']);
    const viaFlag = await genieFix(['apply', '--help']);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toMatch(/^Codemods:\n {2}database-url /m);
    expect(viaHelp.stdout).toBe(viaFlag.stdout);
  });

  it('a config saved with a UTF-8 BOM is read', async () => {
    const config = path.join(dir, 'bom.json');
    fs.writeFileSync(config, '\uFEFF' + JSON.stringify({ payloads: { chatMessage: 'hello' } }));
    const out = path.join(dir, 'artillery');
    const run = await genieFix(['export', 'artillery', '--config', config, '--out', out]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(fs.readdirSync(out).length).toBeGreaterThan(0);
  });

  it('mock-gemini --host that is not an address of this machine: exit 2', async () => {
    // 192.0.2.0/24 is TEST-NET-1: documentation only, never assigned to a host.
    expectRefusal(await genieFix(['mock-gemini', '--port', '0', '--host', '192.0.2.7']), 2, /cannot listen on --host 192\.0\.2\.7: not an address of this machine/);
  });

  it('lab up while a lab runs in the same lab dir: refused, the running one is left alone', async () => {
    // A stand-in for a running lab: a live process group recorded in the lab's state file.
    const holder = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
    try {
      const labDir = path.join(dir, 'lab');
      fs.mkdirSync(labDir, { recursive: true });
      const state = {
        version: 1, startedAt: new Date().toISOString(), ready: true, labDir, appDir: dir, url: 'http://127.0.0.1:1/',
        instanceUrls: [], ports: {}, processes: [{ name: 'daemon', kind: 'daemon', expect: 'sleep', pid: holder.pid, pgid: holder.pid }],
      };
      fs.writeFileSync(path.join(labDir, 'state.json'), JSON.stringify(state));
      const run = await genieFix(['lab', 'up', '--lab-dir', labDir]);
      expectRefusal(run, 2, /a lab is already running in .*lab at http:\/\/127\.0\.0\.1:1\//);
      expect(() => process.kill(holder.pid!, 0)).not.toThrow();
      expect(fs.existsSync(path.join(labDir, 'state.json'))).toBe(true);
    } finally {
      process.kill(-holder.pid!, 'SIGKILL');
    }
  });
});
