/**
 * Odd terminals: a pseudo-terminal that reports 0 columns made ora compute infinite lines to clear
 * (119 MB of escape codes, Ctrl-C ignored). And colour codes belong on a terminal, not in a log.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, repo, tempDir } from './helpers.ts';

let dir: string;
beforeAll(() => {
  dir = tempDir('tty');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs a shell line inside a pseudo-terminal (util-linux `script`), bounded in time. */
function inPty(line: string): { status: number | null; output: string; ms: number } {
  const started = Date.now();
  const r = spawnSync('script', ['-q', '-e', '-c', line, '/dev/null'], {
    cwd: repo,
    env: { ...process.env, CI: '', TERM: 'xterm-256color', FORCE_COLOR: '' },
    encoding: 'utf8',
    timeout: 30_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status, output: r.stdout ?? '', ms: Date.now() - started };
}

describe.skipIf(spawnSync('script', ['--version']).status !== 0)('terminals', () => {
  it('a 0-column terminal: lab down ends at once with a few lines, not megabytes of escape codes', () => {
    const labDir = path.join(dir, 'lab');
    const r = inPty(`stty cols 0 rows 0; node ${bin} lab down --lab-dir ${labDir}`);
    expect(r.status).toBe(0);
    expect(r.output).toContain('no lab was running');
    expect(r.output.length).toBeLessThan(2_000);
    expect(r.ms).toBeLessThan(20_000);
  });

  it('stderr to a file while stdout is a terminal: no colour codes in the file', () => {
    const log = path.join(dir, 'stderr.log');
    const r = inPty(`node ${bin} lab down --lab-dir ${path.join(dir, 'lab2')} 2>${log}`);
    expect(r.status).toBe(0);
    const text = fs.readFileSync(log, 'utf8');
    expect(text).toContain('no lab was running');
    expect(text).not.toContain('\u001b[');
  });
});
