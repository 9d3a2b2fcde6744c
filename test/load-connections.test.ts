/**
 * The engine's transport (connection.ts, connections.ts) against real servers: a raw `net` server
 * that answers byte for byte as a test says (split, chunked, malformed, closing keep-alive
 * connections), and a real HTTPS server with a certificate made for the test by openssl.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type net from 'node:net';
import type tls from 'node:tls';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanups, client, okAnswer, rawServer, sleep } from './helpers/raw-http-server.ts';

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

describe('timeouts', () => {
  it('call a connection not made in time a connect timeout (unreachable), and an answer not given in time a request timeout (slow)', async () => {
    const silent = await rawServer(() => undefined); // accepts, reads, never writes a byte
    const slow = await client(silent.url).request('/', { timeoutMs: 300 });
    expect(slow).toMatchObject({ errorClass: 'timeout', errorMessage: 'ERR_REQUEST_TIMEOUT: request did not finish within 300 ms' });
    // Over https the same server never answers the TLS handshake: the connection is never made.
    const handshake = await client(silent.url.replace('http:', 'https:')).request('/', { timeoutMs: 300 });
    expect(handshake).toMatchObject({ errorClass: 'timeout', errorMessage: expect.stringMatching(/^ERR_CONNECT_TIMEOUT: connect timed out: no connection to 127\.0\.0\.1:\d+ within 300 ms$/) });
  });
});

describe('keep-alive connections', () => {
  it("retires a connection before the server's Keep-Alive timeout, and not after every request", async () => {
    const srv = await rawServer(({ socket }) => socket.write(okAnswer('ok', 'Keep-Alive: timeout=3\r\n')));
    const c = client(srv.url);
    await c.request('/1');
    await c.request('/2');
    expect(srv.connections()).toBe(1);
    // timeout=3 s less the 2 s margin: after 1.1 s idle the connection is not used again.
    await sleep(1100);
    expect((await c.request('/3')).errorClass).toBeNull();
    expect(srv.connections()).toBe(2);
    // A hint within the margin: no reuse at all.
    const brief = await rawServer(({ socket }) => socket.write(okAnswer('ok', 'Keep-Alive: timeout=2\r\n')));
    const b = client(brief.url);
    await b.request('/1');
    await b.request('/2');
    expect(brief.connections()).toBe(2);
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
      protocols.push((req.socket as tls.TLSSocket).alpnProtocol);
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
