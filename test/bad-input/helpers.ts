/**
 * Shared by the bad-input tests: the real bin in a child process, small HTTP servers made in the
 * test, and the contract every refusal keeps (DESIGN.md, README "Exit codes").
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';

export const repo = path.resolve(import.meta.dirname, '..', '..');
export const bin = path.join(repo, 'bin', 'genie-fix.js');

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** `node bin/genie-fix.js …`, asynchronously so servers in this process keep answering. */
export function genieFix(args: string[], opts: { env?: Record<string, string>; timeoutMs?: number; cwd?: string } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: opts.cwd ?? repo,
      env: { ...process.env, GITHUB_ACTIONS: '', FORCE_COLOR: '0', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/**
 * The refusal contract: the documented exit code, exactly one line on stderr that starts with
 * "genie-fix:", names the problem (`problem`) and the fix (a hint in parentheses), no stack trace,
 * and none of `secrets`.
 */
export function expectRefusal(run: Run, code: number, problem: RegExp, secrets: string[] = []): void {
  const lines = run.stderr.trimEnd().split('\n');
  expect({ code: run.code, lines }).toEqual({ code, lines: [expect.stringMatching(problem)] });
  expect(lines[0]).toMatch(/^genie-fix: .+\(.+\)$/);
  expect(run.stderr).not.toMatch(/\n\s+at |internal error/);
  for (const s of secrets) expect(run.stdout + run.stderr).not.toContain(s);
}

export type Behaviour = 'html' | '500' | 'never' | { slowMs: number; status: number };

export interface TestServer {
  url: string;
  requests: number;
  close(): Promise<void>;
}

/** A target that misbehaves the same way on every route. */
export async function misbehavingServer(behaviour: Behaviour): Promise<TestServer> {
  const open = new Set<http.ServerResponse>();
  const state = { requests: 0 };
  const server = http.createServer((req, res) => {
    state.requests++;
    req.resume();
    if (behaviour === 'html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'set-cookie': 'sid=html-page; Path=/' });
      res.end('<!doctype html><html><body><h1>Welcome</h1></body></html>');
    } else if (behaviour === '500') {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{"error":"internal"}');
    } else if (behaviour === 'never') {
      open.add(res); // holds the connection, never answers
    } else {
      const { slowMs, status } = behaviour;
      const t = setTimeout(() => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(status === 200 ? '{"ok":true}' : '{"error":"invalid credentials"}');
      }, slowMs);
      res.on('close', () => clearTimeout(t));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return state.requests;
    },
    async close() {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `genie-bad-input-${prefix}-`));
}

/** A config whose every request gives up after `requestMs`, so a test of a stuck target is quick. */
export function quickConfig(dir: string, requestMs: number, extra: Record<string, unknown> = {}): string {
  const file = path.join(dir, 'config.json');
  fs.writeFileSync(file, JSON.stringify({ timeouts: { requestMs, scenarioMs: 20_000 }, ...extra }));
  return file;
}
