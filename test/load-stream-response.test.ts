/** HttpClient.stream on the engine's transport: sharing the pool's bound, back-pressure, and streams that end early. */
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { HttpClient } from '../src/load/http.ts';
import { cleanups, client, httpServer, okAnswer, rawServer, sleep } from './helpers/raw-http-server.ts';

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
    const c = client(await httpServer(server), 2);
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
    const c = client(await httpServer(server), 1);
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

