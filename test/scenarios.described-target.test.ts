/**
 * Every scenario on a target description that names none of the routes it needs (no login, no reads, no chat, no
 * race, no upload): each says skip with its reason and sends nothing — never the sample app's routes, whose 404s
 * would be counted as failures of an app that does not have them.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scenarios } from '../scenarios/index.ts';
import { parseConfig } from '../src/config.ts';
import { HttpClient } from '../src/load/http.ts';
import { SessionPool } from '../src/load/sessions.ts';

let server: http.Server;
let url = '';
const seen: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('a target description that names nothing a scenario needs', () => {
  it('skips every scenario with its reason and sends no request', async () => {
    const config = parseConfig({ version: 1, target: { session: { kind: 'none' } } });
    const controller = new AbortController();
    const client = new HttpClient(url, controller.signal);
    const reasons: Record<string, string | undefined> = {};
    try {
      for (const scenario of scenarios) {
        const outcome = await scenario.run({
          baseUrl: url,
          users: 10,
          config,
          signal: AbortSignal.timeout(30_000),
          progress: () => undefined,
          client,
          sessions: new SessionPool([], 0, 'not needed'),
        });
        expect(outcome.unmeasured?.verdict, scenario.id).toBe('skip');
        reasons[scenario.id] = outcome.unmeasured?.reason;
      }
    } finally {
      await client.close();
    }
    expect(seen).toEqual([]);
    expect(reasons).toEqual({
      'pool-exhaustion': expect.stringContaining('target.reads'),
      'gemini-429': expect.stringContaining('target.chat'),
      'lost-update': expect.stringContaining('target.lostUpdate'),
      'buffer-truncation': expect.stringContaining('target.chat'),
      'cache-effectiveness': expect.stringContaining('target.chat'),
      'upload-memory': expect.stringContaining('routes.upload'),
      'session-id': expect.stringContaining('target.session.kind none'),
      'shared-ip-login': expect.stringContaining('no login'),
    });
  });
});
