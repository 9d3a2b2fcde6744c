import http from 'node:http';
import type net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CookieJar } from '../src/load/cookies.ts';
import { HttpClient } from '../src/load/http.ts';

const cleanups: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function serve(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  cleanups.push(() => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  });
  return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

function client(url: string, signal = new AbortController().signal): HttpClient {
  const c = new HttpClient(url, signal, 8);
  cleanups.push(() => c.close());
  return c;
}

describe('HttpClient.request', () => {
  it('reads status, content type and text, keeps cookies, drops a BOM and sends the jar back', async () => {
    const url = await serve((req, res) => {
      if (req.url === '/login') {
        res.setHeader('set-cookie', ['session=abc; Path=/; HttpOnly', 'theme=dark']);
        res.setHeader('content-type', 'application/json; charset=utf-8');
        return res.end('\ufeff{"ok":"héllo"}');
      }
      res.end(req.headers.cookie ?? '');
    });
    const c = client(url);
    const jar = new CookieJar();
    const login = await c.request('/login', { method: 'POST', json: { a: 1 }, jar });
    expect(login).toMatchObject({ status: 200, contentType: 'application/json; charset=utf-8', text: '{"ok":"héllo"}', errorClass: null });
    expect((await c.request('/me', { jar })).text).toBe('session=abc; theme=dark');
  });

  it('sends what the jar holds now: headers reused between requests follow every cookie and session-header change', async () => {
    const seen: string[] = [];
    const url = await serve((req, res) => {
      seen.push(`${req.headers.cookie ?? '-'} | ${req.headers.authorization ?? '-'} | ${req.headers.accept} | ${req.headers['content-type'] ?? '-'}`);
      if (req.url === '/rotate') res.setHeader('set-cookie', 'session=two');
      if (req.url === '/logout') res.setHeader('set-cookie', 'session=; Max-Age=0');
      res.end('ok');
    });
    const c = client(url);
    const jar = CookieJar.fromHeader('session=one');
    await c.request('/a', { jar });
    await c.request('/rotate', { jar });
    await c.request('/b', { jar });
    jar.setHeader('Authorization', 'Bearer t1');
    await c.request('/c', { jar });
    await c.request('/d', { jar, headers: { accept: 'text/plain' }, json: { x: 1 } });
    await c.request('/logout', { jar });
    await c.request('/e', { jar });
    await c.request('/f');
    const anyAccept = 'application/json, text/event-stream, */*';
    expect(seen).toEqual([
      `session=one | - | ${anyAccept} | -`,
      `session=one | - | ${anyAccept} | -`,
      `session=two | - | ${anyAccept} | -`,
      `session=two | Bearer t1 | ${anyAccept} | -`,
      'session=two | Bearer t1 | text/plain | application/json',
      `session=two | Bearer t1 | ${anyAccept} | -`,
      `- | Bearer t1 | ${anyAccept} | -`,
      `- | - | ${anyAccept} | -`,
    ]);
  });

  it('joins a body sent in several chunks (a character split between two) and reads header names in any letter case', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'SET-COOKIE': 'token=t9' });
      const bytes = Buffer.from('héllo wörld');
      res.write(bytes.subarray(0, 2)); // ends inside "é"
      setTimeout(() => res.write(bytes.subarray(2, 8)), 20);
      setTimeout(() => res.end(bytes.subarray(8)), 40);
    });
    const jar = new CookieJar();
    const res = await client(url).request('/', { jar });
    expect(res).toMatchObject({ status: 200, contentType: 'text/plain; charset=utf-8', text: 'héllo wörld' });
    expect(jar.header()).toBe('token=t9');
  });

  it('classes a database error in a 500 body', async () => {
    const url = await serve((_req, res) => {
      res.statusCode = 500;
      res.end('Timed out fetching a new connection from the connection pool');
    });
    expect((await client(url).request('/')).errorClass).toBe('pool-timeout');
  });

  it('ends a request whose body never finishes at its whole-request timeout', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      // A byte every 100 ms: no per-chunk timer would ever fire.
      const t = setInterval(() => res.write('.'), 100);
      res.on('close', () => clearInterval(t));
    });
    const res = await client(url).request('/', { timeoutMs: 600 });
    expect(res.errorClass).toBe('timeout');
    expect(res.durationMs).toBeGreaterThanOrEqual(600);
    expect(res.durationMs).toBeLessThan(1500);
  });

  it('ends every request in flight when the run is aborted, and starts none after', async () => {
    const url = await serve(() => undefined); // never answers
    const run = new AbortController();
    const c = client(url, run.signal);
    const pending = Promise.all([c.request('/a'), c.request('/b')]);
    setTimeout(() => run.abort(), 100);
    const results = await pending;
    expect(results.map((r) => r.errorClass)).toEqual(['aborted', 'aborted']);
    expect((await c.request('/c')).errorClass).toBe('aborted');
  });

  it('answers a refused connection as a network error, without throwing', async () => {
    const url = await serve(() => undefined);
    const port = new URL(url).port;
    await cleanups.pop()!(); // the server is gone now
    const res = await client(`http://127.0.0.1:${port}`).request('/');
    expect(res).toMatchObject({ status: 0, errorClass: 'network' });
    expect(res.errorMessage).toMatch(/ECONNREFUSED/);
  });
});

describe('HttpClient.close', () => {
  it('ends requests still running and refuses new ones, as network errors', async () => {
    const url = await serve(() => undefined); // never answers
    const c = new HttpClient(url, new AbortController().signal, 2);
    const pending = c.request('/slow');
    await new Promise((r) => setTimeout(r, 50));
    await c.close();
    expect(await pending).toMatchObject({ status: 0, errorClass: 'network', errorMessage: 'ERR_CLIENT_CLOSED: the HTTP client was closed' });
    expect((await c.request('/after')).errorClass).toBe('network');
  });
});

describe('HttpClient connections', () => {
  it('queues past its connection count, times out a request that waited too long, and passes the connection on', async () => {
    const url = await serve((req, res) => {
      setTimeout(() => res.end(req.url), 300);
    });
    const c = new HttpClient(url, new AbortController().signal, 1);
    cleanups.push(() => c.close());
    const first = c.request('/first', { timeoutMs: 5000 });
    const starved = c.request('/starved', { timeoutMs: 150 });
    const third = c.request('/third', { timeoutMs: 5000 });
    const [a, b, d] = await Promise.all([first, starved, third]);
    expect([a.text, b.errorClass, d.text]).toEqual(['/first', 'timeout', '/third']);
    expect(d.durationMs).toBeGreaterThanOrEqual(550); // it waited for /first: one connection
  });
});
