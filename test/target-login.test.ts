/** Logging in as a target description says: a bearer token from the JSON answer rides on every later request of the session. */
import { createServer, type Server } from 'node:http';
import { afterAll, expect, it } from 'vitest';
import { parseConfig } from '../src/config.ts';
import { CookieJar } from '../src/load/cookies.ts';
import { HttpClient } from '../src/load/http.ts';
import { buildSessionPool } from '../src/load/sessions.ts';
import { redact } from '../src/redact.ts';
import { logIn } from '../src/target/login.ts';

let server: Server;
const seen: Array<string | undefined> = [];
afterAll(() => new Promise((r) => server.close(r)));

async function start(): Promise<string> {
  server = createServer(async (req, res) => {
    let text = '';
    for await (const c of req) text += c;
    if (req.url === '/api/v1/sessions') {
      const { username, password } = JSON.parse(text) as { username: string; password: string };
      const ok = password === `summit-${username.slice(-3)}`;
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
      return res.end(JSON.stringify(ok ? { token: `tok-${username}-secret`, hiker: { id: 'h1' } } : { message: 'no' }));
    }
    seen.push(req.headers.authorization);
    res.writeHead(req.headers.authorization ? 200 : 401, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

const config = parseConfig({
  version: 1,
  credentials: { accounts: { email: 'hiker{n:3}', password: 'summit-{n:3}', count: 5 } },
  target: {
    session: { kind: 'bearer', token: '/token' },
    login: { method: 'POST', path: '/api/v1/sessions', json: { username: '{{account.id}}', password: '{{account.password}}' } },
  },
});

it('captures the token, sends it as Authorization: Bearer, and keeps it out of output', async () => {
  const client = new HttpClient(await start(), new AbortController().signal, 8);
  try {
    const jar = new CookieJar();
    const attempt = await logIn(client, config, { email: 'hiker002', password: 'summit-002' }, jar, { vu: 0, run: 'r', timeoutMs: 5000 });
    expect(attempt.loggedIn).toBe(true);
    expect((await client.request('/api/v1/me', { jar })).status).toBe(200);
    expect(seen).toEqual(['Bearer tok-hiker002-secret']);
    expect(redact('token tok-hiker002-secret')).not.toContain('tok-hiker002-secret');

    const wrong = await logIn(client, config, { email: 'hiker002', password: 'nope' }, new CookieJar(), { vu: 0, run: 'r', timeoutMs: 5000 });
    expect(wrong).toMatchObject({ loggedIn: false, res: { status: 401 } });

    const pool = await buildSessionPool(client, config, 5, new AbortController().signal);
    expect(pool.size).toBe(5);
    const tokens = Array.from({ length: 5 }, (_, i) => pool.get(i).jar.headers().authorization).sort();
    expect(tokens).toEqual(['001', '002', '003', '004', '005'].map((n) => `Bearer tok-hiker${n}-secret`));
  } finally {
    await client.close();
  }
});
