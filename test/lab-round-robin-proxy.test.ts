/** The lab's round-robin proxy (src/lab/round-robin-proxy.ts): spreading, streaming, idle keep-alive connections. */
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { startRoundRobinProxy } from '../src/lab/round-robin-proxy.ts';
import { cleanups, closeServer, listen, pattern } from './helpers/servers.ts';

async function namedServer(name: string, handler?: http.RequestListener): Promise<string> {
  const server = http.createServer(
    handler ??
      ((req, res) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ name, xff: req.headers['x-forwarded-for'] ?? null }));
      }),
  );
  const port = await listen(server);
  cleanups.push(() => {
    server.closeAllConnections();
    return closeServer(server);
  });
  return `http://127.0.0.1:${port}`;
}

describe('round-robin proxy', () => {
  it('spreads requests evenly over the instances and passes x-forwarded-for through', async () => {
    const targets = [await namedServer('a'), await namedServer('b'), await namedServer('c')];
    const proxy = await startRoundRobinProxy({ targets });
    cleanups.push(() => proxy.close());
    const seen: string[] = [];
    for (let i = 0; i < 9; i++) {
      const res = await fetch(`${proxy.url}/x`, { headers: { 'x-forwarded-for': '203.0.113.7' } });
      const body = (await res.json()) as { name: string; xff: string };
      expect(body.xff).toBe('203.0.113.7');
      seen.push(body.name);
    }
    expect(seen).toEqual(['a', 'b', 'c', 'a', 'b', 'c', 'a', 'b', 'c']);
    expect(proxy.stats().perTarget).toEqual([3, 3, 3]);
  });

  it('streams the response: the first chunk arrives before the upstream finishes', async () => {
    const target = await namedServer('slow', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first\n');
      setTimeout(() => res.end('second\n'), 800);
    });
    const proxy = await startRoundRobinProxy({ targets: [target] });
    cleanups.push(() => proxy.close());
    const started = performance.now();
    const res = await fetch(proxy.url);
    const reader = res.body!.getReader();
    const first = await reader.read();
    const firstAt = performance.now() - started;
    expect(new TextDecoder().decode(first.value)).toBe('first\n');
    expect(firstAt).toBeLessThan(600);
    let rest = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      rest += new TextDecoder().decode(value);
    }
    expect(rest).toBe('second\n');
    expect(performance.now() - started).toBeGreaterThanOrEqual(790);
  });

  it('streams request bodies to the instance and answers 502 when an instance is down', async () => {
    const target = await namedServer('echo', (req, res) => {
      let n = 0;
      req.on('data', (c: Buffer) => (n += c.length));
      req.on('end', () => res.end(String(n)));
    });
    // A port that was just free and is closed again: nothing listens there.
    const gone = net.createServer();
    const gonePort = await listen(gone);
    await closeServer(gone);
    const proxy = await startRoundRobinProxy({ targets: [target, `http://127.0.0.1:${gonePort}`] });
    cleanups.push(() => proxy.close());
    const body = pattern(5 * 1024 * 1024);
    const ok = await fetch(proxy.url, { method: 'POST', body: new Uint8Array(body) });
    expect(await ok.text()).toBe(String(body.length));
    const bad = await fetch(proxy.url);
    expect(bad.status).toBe(502);
    await bad.text();
    expect(proxy.stats().upstreamErrors).toBe(1);
  });
});

/**
 * An instance in its own process (so it keeps time while this one is blocked) that closes idle
 * keep-alive connections: `node` is Node's own server with keepAliveTimeout 2 s, as `next start`
 * has with 5 s (Node 20 announces `Keep-Alive: timeout=2` and closes after 3 s); `silent` closes
 * them after 2 s without announcing it, as many servers and load balancers do.
 */
async function idleClosingInstance(kind: 'node' | 'silent'): Promise<string> {
  const source = `
const kind = process.argv[1];
const http = require('node:http');
const net = require('node:net');
let server;
if (kind === 'node') {
  server = http.createServer((req, res) => {
    let n = 0;
    req.on('data', (c) => (n += c.length));
    req.on('end', () => res.end('ok ' + req.method + ' ' + n));
  });
  server.keepAliveTimeout = 2000;
} else {
  server = net.createServer((s) => {
    let buf = '';
    let idle;
    const arm = () => { clearTimeout(idle); idle = setTimeout(() => s.destroy(), 2000); };
    s.on('data', (d) => {
      buf += d;
      for (;;) {
        const end = buf.indexOf('\\r\\n\\r\\n');
        if (end < 0) return;
        const head = buf.slice(0, end);
        const len = Number((/content-length: *(\\d+)/i.exec(head) || [0, 0])[1]);
        if (buf.length < end + 4 + len) return;
        buf = buf.slice(end + 4 + len);
        const body = 'ok ' + head.split(' ')[0] + ' ' + len;
        s.write('HTTP/1.1 200 OK\\r\\ncontent-length: ' + body.length + '\\r\\n\\r\\n' + body);
        arm();
      }
    });
    s.on('error', () => {});
    arm();
  });
}
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
`;
  const child = spawn(process.execPath, ['-e', source, kind], { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
  cleanups.push(() => {
    if (child.exitCode === null && child.pid) process.kill(-child.pid, 'SIGKILL');
  });
  const port = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`instance exited (${code})`)));
    child.stdout!.once('data', (d: Buffer) => resolve(String(d).trim()));
  });
  return `http://127.0.0.1:${port}`;
}

/** Reads one HTTP response (with content-length) from a raw client socket. */
function readResponse(sock: net.Socket): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString('latin1');
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const len = Number(/content-length: *(\d+)/i.exec(buf.slice(0, end))?.[1] ?? 0);
      if (buf.length < end + 4 + len) return;
      sock.off('data', onData);
      resolve({ status: Number(buf.slice(9, 12)), body: buf.slice(end + 4, end + 4 + len) });
    };
    sock.on('data', onData);
    sock.once('error', reject);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The 502 "socket hang up" seen under load: the proxy's event loop is busy (here: blocked) at the
 * moment the instance closes an idle connection, so the next request is handed to that connection
 * before the proxy has seen it close. The request arrives 0.4 s before the instance closes the
 * connection; the proxy looks at both 0.5 s after.
 */
async function requestAcrossIdleClose(proxyUrl: string, closesAtMs: number, second: string): Promise<{ status: number; body: string }> {
  const sock = net.connect(Number(new URL(proxyUrl).port), '127.0.0.1');
  cleanups.push(() => void sock.destroy());
  await new Promise((r) => sock.once('connect', r));
  sock.write('GET /first HTTP/1.1\r\nhost: lab\r\n\r\n');
  expect(await readResponse(sock)).toEqual({ status: 200, body: 'ok GET 0' });
  const idleSince = performance.now();
  await sleep(closesAtMs - 400);
  const reply = readResponse(sock);
  sock.write(second);
  while (performance.now() - idleSince < closesAtMs + 500); // busy: no I/O is handled meanwhile
  return reply;
}

describe('round-robin proxy and idle keep-alive connections', () => {
  it('stops reusing an idle connection before Node\'s server closes it (no 502 under a busy loop)', async () => {
    const proxy = await startRoundRobinProxy({ targets: [await idleClosingInstance('node')] });
    cleanups.push(() => proxy.close());
    const res = await requestAcrossIdleClose(proxy.url, 3000, 'GET /second HTTP/1.1\r\nhost: lab\r\n\r\n');
    expect(res).toEqual({ status: 200, body: 'ok GET 0' });
    // The idle socket was dropped on time, so nothing needed a second attempt.
    expect(proxy.stats()).toMatchObject({ requests: 2, upstreamErrors: 0, retries: 0 });
  });

  it('sends an idempotent request again, once, when the reused connection was closed under it', async () => {
    const proxy = await startRoundRobinProxy({ targets: [await idleClosingInstance('silent')] });
    cleanups.push(() => proxy.close());
    const res = await requestAcrossIdleClose(proxy.url, 2000, 'PUT /second HTTP/1.1\r\nhost: lab\r\ncontent-length: 5\r\n\r\nhello');
    expect(res).toEqual({ status: 200, body: 'ok PUT 5' });
    expect(proxy.stats()).toMatchObject({ requests: 2, upstreamErrors: 0, retries: 1 });
  });

  it('does not send a POST twice: the same failure stays a 502', async () => {
    const proxy = await startRoundRobinProxy({ targets: [await idleClosingInstance('silent')] });
    cleanups.push(() => proxy.close());
    const res = await requestAcrossIdleClose(proxy.url, 2000, 'POST /second HTTP/1.1\r\nhost: lab\r\ncontent-length: 5\r\n\r\nhello');
    expect(res.status).toBe(502);
    expect(res.body).toMatch(/lab proxy: instance .* unreachable/);
    expect(proxy.stats()).toMatchObject({ requests: 2, upstreamErrors: 1, retries: 0 });
  });
});
