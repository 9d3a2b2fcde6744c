/**
 * The engine's transport against real servers: a raw `net` server that answers byte for byte as a
 * test says (split, chunked, malformed, closing keep-alive connections), a real node:http server,
 * and a real HTTPS server with a certificate made for the test by openssl.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpClient } from '../src/load/http.ts';

const cleanups: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One request as the raw server read it. */
interface RawRequest {
  head: string;
  body: string;
  /** Which connection (0, 1, …) and which request on it (0, 1, …). */
  conn: number;
  nth: number;
  socket: net.Socket;
}

/** A TCP server that reads HTTP requests and lets the test write any bytes back. */
async function rawServer(answer: (req: RawRequest) => void): Promise<{ url: string; requests: RawRequest[]; connections: () => number }> {
  const requests: RawRequest[] = [];
  let conns = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    const conn = conns++;
    let nth = 0;
    let buffered = Buffer.alloc(0);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.on('data', (d) => {
      buffered = Buffer.concat([buffered, d]);
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffered.toString('latin1', 0, end);
        const length = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (buffered.length < end + 4 + length) return;
        const body = buffered.toString('utf8', end + 4, end + 4 + length);
        buffered = buffered.subarray(end + 4 + length);
        const req = { head, body, conn, nth: nth++, socket };
        requests.push(req);
        answer(req);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  cleanups.push(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((r) => server.close(() => r()));
  });
  return { url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, requests, connections: () => conns };
}

function client(url: string, max = 4, options = {}): HttpClient {
  const c = new HttpClient(url, new AbortController().signal, max, options);
  cleanups.push(() => c.close());
  return c;
}

const okAnswer = (body: string, extra = '') => `HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;

describe('the transport reads what a server writes, however it is cut', () => {
  it('joins a chunked answer written a few bytes at a time, with extensions and trailers', async () => {
    const wire = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n4;a=b\r\nhél\r\n6\r\nlo wor\r\n2\r\nld\r\n0\r\nX-Trailer: t\r\n\r\n';
    const bytes = Buffer.from(wire.replace('hél', 'h\u00e9l'), 'utf8');
    const srv = await rawServer(async ({ socket }) => {
      for (let at = 0; at < bytes.length; at += 3) {
        socket.write(bytes.subarray(at, at + 3));
        await sleep(1);
      }
    });
    const c = client(srv.url);
    expect(await c.request('/a')).toMatchObject({ status: 200, contentType: 'text/plain', text: 'héllo world', errorClass: null });
    // The framing ended cleanly, so the connection carries the next request.
    expect((await c.request('/b')).text).toBe('héllo world');
    expect(srv.connections()).toBe(1);
  });

  it('reads a body that runs to the close, and opens a new connection after it', async () => {
    const srv = await rawServer(({ socket }) => socket.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end'));
    const c = client(srv.url);
    expect((await c.request('/')).text).toBe('until the end');
    expect((await c.request('/')).text).toBe('until the end');
    expect(srv.connections()).toBe(2);
  });

  it('ends a malformed answer as a network error that says what was wrong', async () => {
    const srv = await rawServer(({ socket }) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: twelve\r\n\r\nhello'));
    const res = await client(srv.url).request('/');
    expect(res).toMatchObject({ status: 0, errorClass: 'network', errorMessage: expect.stringMatching(/ERR_MALFORMED_RESPONSE: malformed HTTP response: bad Content-Length/) });
  });

  it('ends an answer cut mid-body as a network error', async () => {
    const srv = await rawServer(({ socket }) => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this'));
    const res = await client(srv.url).request('/');
    expect(res).toMatchObject({ status: 0, errorClass: 'network', errorMessage: expect.stringMatching(/closed the connection in the middle of the response/) });
  });

  it('sends Host with its port, the jar, and a JSON body with Content-Length', async () => {
    const srv = await rawServer(({ socket }) => socket.write(okAnswer('ok')));
    const c = client(`${srv.url}/base`);
    await c.request('/x', { method: 'PUT', json: { name: 'zoë' }, headers: { 'X-Mode': 'test' } });
    const [req] = srv.requests;
    const port = new URL(srv.url).port;
    expect(req?.head.split('\r\n')).toEqual([
      'PUT /base/x HTTP/1.1',
      `host: 127.0.0.1:${port}`,
      'accept: application/json, text/event-stream, */*',
      'x-mode: test',
      'content-type: application/json',
      `content-length: ${Buffer.byteLength('{"name":"zoë"}')}`,
    ]);
    expect(req?.body).toBe('{"name":"zoë"}');
  });

  it('refuses a header value that would end the line early, before sending anything', async () => {
    const srv = await rawServer(({ socket }) => socket.write(okAnswer('ok')));
    const res = await client(srv.url).request('/', { headers: { 'x-a': 'b\r\nx-injected: 1' } });
    expect(res).toMatchObject({ status: 0, errorClass: 'network', errorMessage: expect.stringMatching(/invalid header/) });
    expect(srv.requests).toHaveLength(0);
  });
});

describe('keep-alive connections', () => {
  it("retires a connection before the server's Keep-Alive timeout, and not after every request", async () => {
    const srv = await rawServer(({ socket }) => socket.write(okAnswer('ok', 'Keep-Alive: timeout=2\r\n')));
    const c = client(srv.url);
    await c.request('/1');
    await c.request('/2');
    expect(srv.connections()).toBe(1);
    // timeout=2 s less the 1 s margin: after 1.1 s idle the connection is not used again.
    await sleep(1100);
    expect((await c.request('/3')).errorClass).toBeNull();
    expect(srv.connections()).toBe(2);
  });

  it('forgets an idle connection the server closed, so even a POST (never retried) succeeds on a new one', async () => {
    const srv = await rawServer(({ socket }) => {
      socket.write(okAnswer('ok'));
      setTimeout(() => socket.end(), 30); // the server's idle timeout, with no hint given
    });
    const c = client(srv.url);
    await c.request('/1');
    await sleep(150);
    expect((await c.request('/2', { method: 'POST', json: { n: 1 } })).errorClass).toBeNull();
    expect(srv.connections()).toBe(2);
  });

  it('sends a GET again on a fresh connection when a reused one is closed before any answer; a POST fails and is sent once', async () => {
    // The server closes a connection when a second request arrives on it: a keep-alive race lost.
    const srv = await rawServer((req) => {
      if (req.nth === 0) req.socket.write(okAnswer(`conn ${req.conn}`));
      else req.socket.destroy();
    });
    const c = client(srv.url, 1);
    expect((await c.request('/first')).text).toBe('conn 0');
    const get = await c.request('/again');
    expect(get).toMatchObject({ text: 'conn 1', errorClass: null });
    const post = await c.request('/write', { method: 'POST', json: { add: 1 } });
    expect(post).toMatchObject({ status: 0, errorClass: 'network' });
    expect(srv.requests.filter((r) => r.head.startsWith('POST')).length).toBe(1);
  });

  it('keeps the whole-request timeout and the pool order while a connection is being replaced', async () => {
    const srv = await rawServer((req) => {
      if (req.head.startsWith('GET /slow')) setTimeout(() => req.socket.write(okAnswer('slow')), 300);
      else req.socket.write(okAnswer('fast'));
    });
    const c = client(srv.url, 1);
    const slow = c.request('/slow', { timeoutMs: 100 });
    const next = c.request('/next', { timeoutMs: 2000 });
    expect((await slow).errorClass).toBe('timeout');
    // The timed-out request's connection was closed (its answer could not be finished); the waiter got a new one.
    expect(await next).toMatchObject({ text: 'fast', errorClass: null });
    expect(srv.connections()).toBe(2);
  });
});

describe('streams on the same connections', () => {
  it('count against the same bound as plain requests', async () => {
    const holds: http.ServerResponse[] = [];
    const server = http.createServer((req, res) => {
      if (req.url === '/stream') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('first ');
        holds.push(res);
      } else res.end('plain');
    });
    let opened = 0;
    server.on('connection', () => opened++);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    });
    const c = client(`http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, 2);
    const read = (body: AsyncIterable<Buffer>) => (async () => {
      let s = '';
      for await (const chunk of body) s += chunk.toString();
      return s;
    })();
    const streams = [c.stream('/stream', {}, read), c.stream('/stream', {}, read)];
    await sleep(100);
    const plain = c.request('/plain');
    await sleep(100);
    expect(opened).toBe(2);
    for (const res of holds) res.end('last');
    expect(await Promise.all(streams)).toEqual(['first last', 'first last']);
    expect((await plain).text).toBe('plain');
    expect(opened).toBe(2);
  });

  it('pause the socket while the consumer lags, and deliver every byte', async () => {
    const total = 32 * 1024 * 1024;
    const piece = Buffer.alloc(64 * 1024, 'x');
    let sent = 0;
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': total });
      const pump = () => {
        while (sent < total) {
          sent += piece.length;
          if (!res.write(piece)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    });
    const c = client(`http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, 1);
    const got = await c.stream('/', { timeoutMs: 20_000 }, async (body) => {
      let bytes = 0;
      let sentWhileWaiting = -1;
      for await (const chunk of body) {
        bytes += chunk.length;
        if (sentWhileWaiting < 0) {
          await sleep(300); // a slow consumer: the server must be held back by TCP
          sentWhileWaiting = sent;
        }
      }
      return { bytes, sentWhileWaiting };
    });
    expect(got.bytes).toBe(total);
    expect(got.sentWhileWaiting).toBeLessThan(total / 2);
  });
});

describe('streams that end early', () => {
  it('time out mid-body, and a consumer that stops early does not leave a half-read connection in the pool', async () => {
    const srv = await rawServer((req) => {
      if (req.head.startsWith('GET /drip')) {
        req.socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
        const t = setInterval(() => req.socket.write('1\r\n.\r\n'), 50);
        req.socket.on('close', () => clearInterval(t));
      } else req.socket.write(okAnswer(`conn ${req.conn}`));
    });
    const c = client(srv.url, 1);
    const dots: string[] = [];
    const timedOut = c.stream('/drip', { timeoutMs: 300 }, async (body) => {
      for await (const chunk of body) dots.push(chunk.toString());
    });
    await expect(timedOut).rejects.toMatchObject({ name: 'TimeoutError', code: 'ERR_REQUEST_TIMEOUT' });
    expect(dots.length).toBeGreaterThan(1);
    // Read one chunk and leave: the rest of that answer must not reach the next request.
    const first = await c.stream('/drip', {}, async (body) => {
      for await (const chunk of body) return chunk.toString();
      return '';
    });
    expect(first).toBe('.');
    expect((await c.request('/plain')).text).toBe('conn 2');
  });

  it("end with the run: a stream being read throws the run signal's reason", async () => {
    const srv = await rawServer((req) => req.socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n'));
    const run = new AbortController();
    const c = new HttpClient(srv.url, run.signal, 2);
    cleanups.push(() => c.close());
    const reading = c.stream('/', {}, async (body) => {
      for await (const _ of body) run.abort();
    });
    await expect(reading).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('HTTPS', () => {
  const hasOpenssl = (() => {
    try {
      execFileSync('openssl', ['version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

  it.skipIf(!hasOpenssl)('talks HTTP/1.1 over TLS with a trusted certificate and refuses an untrusted one', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'genie-tls-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost'], { stdio: 'ignore' });
    const protocols: Array<string | false | null> = [];
    const server = https.createServer({ key: readFileSync(key), cert: readFileSync(cert), ALPNProtocols: ['h2', 'http/1.1'] }, (req, res) => {
      protocols.push((req.socket as import('node:tls').TLSSocket).alpnProtocol);
      res.setHeader('content-type', 'text/plain');
      res.end(`host ${req.headers.host}`);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    });
    const url = `https://localhost:${(server.address() as net.AddressInfo).port}`;
    const trusted = await client(url, 2, { ca: readFileSync(cert) }).request('/');
    expect(trusted).toMatchObject({ status: 200, text: `host localhost:${new URL(url).port}`, errorClass: null });
    expect(protocols).toEqual(['http/1.1']);
    const untrusted = await client(url).request('/');
    expect(untrusted).toMatchObject({ status: 0, errorClass: 'network', errorMessage: expect.stringMatching(/self[- ]signed/i) });
  });
});
