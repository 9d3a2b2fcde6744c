import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labDown, labStatus, labUp, type LabInfo } from '../src/lab/index.ts';
import { isPortOpen } from '../src/lab/ports.ts';
import { isAlive } from '../src/lab/processes.ts';
import { readState } from '../src/lab/state.ts';

// End to end: the real lab (embedded PostgreSQL, latency proxy, mock Gemini, 2 × next start).
const MAX_CONNECTIONS = 8;
let labDir: string;
let info: LabInfo;
let ports: number[] = [];

beforeAll(async () => {
  labDir = await fs.mkdtemp(path.join(os.tmpdir(), 'genie-lab-test-'));
  info = await labUp({ labDir, instances: 2, maxConnections: MAX_CONNECTIONS });
  ports = Object.values((await readState(labDir))!.ports);
}, 300_000);

afterAll(async () => {
  // Runs even when a test (or labUp half-way) failed: whatever the state file recorded is stopped.
  await labDown({ labDir }).catch(() => undefined);
  await fs.rm(labDir, { recursive: true, force: true });
}, 60_000);

async function login(): Promise<string> {
  const res = await fetch(`${info.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(info.testUser),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { user: { id: number } };
  expect(body.user.id).toBeGreaterThan(0);
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  expect(cookie).not.toBe('');
  return cookie;
}

describe('lab', () => {
  it('reports itself running, with the instances asked for', async () => {
    const status = await labStatus({ labDir });
    expect(status.running).toBe(true);
    expect(status.processes.map((p) => p.name).sort()).toEqual(['daemon', 'instance-1', 'instance-2', 'postgres']);
    expect(info.instanceUrls).toHaveLength(2);
  });

  it('answers /api/health through the proxy and on every instance', async () => {
    for (const base of [info.url, ...info.instanceUrls]) {
      const res = await fetch(`${base}/api/health`);
      expect(res.status, base).toBe(200);
      await res.arrayBuffer();
    }
  });

  it('logs the seeded test user in through the proxy and serves the profile on the other instance', async () => {
    const cookie = await login();
    // Round robin: this request lands on the other instance, so the session must live in the database.
    const res = await fetch(`${info.url}/api/user/profile`, { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(JSON.stringify(await res.json())).toContain(info.testUser.email);
  });

  it('streams a chat reply from mock Gemini, and the daemon counts what passed through its parts', async () => {
    const cookie = await login();
    const res = await fetch(`${info.url}/api/chat/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify({ message: 'hello' }),
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text.trim().split('\n').at(-1)).toMatch(/^d:/);
    const stats = (await (await fetch(info.statsUrl!)).json()) as {
      gemini: { accepted: number };
      dbProxy: { connections: number; bytesFromTarget: number };
      proxy: { perTarget: number[] };
    };
    expect(stats.gemini.accepted).toBeGreaterThanOrEqual(1);
    expect(stats.dbProxy.connections).toBeGreaterThan(0);
    expect(stats.dbProxy.bytesFromTarget).toBeGreaterThan(0);
    // Both instances served requests: the round robin reached each of them.
    expect(stats.proxy.perTarget.every((n) => n > 0)).toBe(true);
  });

  it('runs PostgreSQL with the max_connections asked for, the app as a non-superuser behind the latency proxy', async () => {
    const client = new pg.Client({ connectionString: info.databaseUrl });
    await client.connect();
    try {
      expect((await client.query('SHOW max_connections')).rows[0].max_connections).toBe(String(MAX_CONNECTIONS));
      expect((await client.query('SHOW superuser_reserved_connections')).rows[0].superuser_reserved_connections).toBe('3');
      const role = await client.query(`SELECT rolsuper FROM pg_roles WHERE rolname = 'genie'`);
      expect(role.rows).toEqual([{ rolsuper: false }]);
    } finally {
      await client.end();
    }
    const app = new URL(info.appDatabaseUrl);
    expect(app.username).toBe('genie');
    expect(app.port).not.toBe(new URL(info.databaseUrl).port);
  });

  it('stops every process and frees every port on labDown', async () => {
    const pids = Object.values(info.pids);
    expect(pids.length).toBe(4);
    const { stopped } = await labDown({ labDir });
    expect(stopped.sort()).toEqual(['daemon', 'instance-1', 'instance-2', 'postgres']);
    for (const pid of pids) expect(isAlive(pid), `pid ${pid}`).toBe(false);
    for (const port of ports) expect(await isPortOpen(port), `port ${port}`).toBe(false);
    expect((await labStatus({ labDir })).running).toBe(false);
  });
});
