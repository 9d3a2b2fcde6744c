/** `genie-fix mock-gemini`, the command (src/commands/mock-gemini.ts): flags refused before listening, serving until SIGTERM. */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli.ts';

const MODEL = 'gemini-2.0-flash';
const body = (prompt: string) => JSON.stringify({ contents: [{ role: 'user', parts: [{ text: prompt }] }] });

describe('genie-fix mock-gemini (the command)', () => {
  it('rejects a bad number with exit 2 before listening', async () => {
    const write = process.stderr.write.bind(process.stderr);
    let stderr = '';
    process.stderr.write = ((chunk: string) => ((stderr += chunk), true)) as typeof process.stderr.write;
    try {
      expect(await main(['node', 'genie-fix', 'mock-gemini', '--port', '0', '--rpm', 'ten'])).toBe(2);
      expect(await main(['node', 'genie-fix', 'mock-gemini', '--port', '0', '--retry-delay', '-1'])).toBe(2);
      expect(await main(['node', 'genie-fix', 'mock-gemini', '--port', '0', '--overloaded-rate', '2'])).toBe(2);
      expect(await main(['node', 'genie-fix', 'mock-gemini', '--port', '0', '--crlf', '--lf'])).toBe(2);
    } finally {
      process.stderr.write = write;
    }
    expect(stderr).toMatch(/--rpm must be /);
    expect(stderr).toMatch(/--overloaded-rate must be a fraction from 0 to 1/);
    expect(stderr).toMatch(/--crlf and --lf contradict each other/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('serves until SIGTERM and prints its URL as JSON', async () => {
    const child = spawn(process.execPath, ['bin/genie-fix.js', 'mock-gemini', '--port', '0', '--json', '--rpm', '1', '--ttft-ms', '0'], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('\n')) resolve(out.split('\n')[0]!);
        });
        child.once('exit', () => reject(new Error(`exited before printing its URL: ${out}`)));
      });
      const { url } = JSON.parse(line) as { url: string };
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const ask = () => fetch(`${url}/v1beta/models/${MODEL}:generateContent`, { method: 'POST', body: body('hi') });
      expect((await ask()).status).toBe(200);
      expect((await ask()).status).toBe(429);
      process.kill(-child.pid!, 'SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
    }
  });
});
