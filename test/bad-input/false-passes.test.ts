/**
 * A scenario that could not measure what it judges says `error` or `skip`, never `pass`: uploads
 * answered by an HTML page measured no upload, and logins that all failed with 500 say nothing
 * about whether one IP gets blocked.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
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

describe('upload-memory sends real multipart uploads', () => {
  it('a server that accepts only well-formed multipart/form-data with a file part counts every upload ok', async () => {
    // Health answers 200; an upload is accepted only with a boundary in its content type and a `file` part.
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const type = req.headers['content-type'] ?? '';
        const boundary = /boundary=(.+)$/.exec(type)?.[1];
        const body = Buffer.concat(chunks).toString('latin1');
        const good = req.method !== 'POST' || (boundary !== undefined && body.startsWith(`--${boundary}\r\n`) && body.includes('name="file"'));
        res.writeHead(good ? 200 : 400, { 'content-type': 'application/json' }).end(good ? '{"ok":true}' : '{"error":"no file part"}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const out = path.join(dir, 'multipart-upload');
      const config = quickConfig(dir, 5000, { payloads: { uploads: 3, uploadMb: 0.2 } });
      await genieFix(['diagnose', '--url', url, '--config', config, '--scenario', 'upload-memory', '--users', '3', '--out', out], { timeoutMs: 120_000 });
      const report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8')) as Report;
      const result = report.scenarios.find((s) => s.id === 'upload-memory')!;
      expect(result.metrics).toMatchObject({ uploads: 3, ok: 3, errors: 0 });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
