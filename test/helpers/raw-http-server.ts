/** Loopback servers and clients for the load transport's tests, closed after each test. */
import http from 'node:http';
import net from 'node:net';
import { afterEach } from 'vitest';
import { HttpClient, type ClientOptions } from '../../src/load/http.ts';

export const cleanups: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One request as the raw server read it. */
export interface RawRequest {
  head: string;
  body: string;
  /** Which connection (0, 1, …) and which request on it (0, 1, …). */
  conn: number;
  nth: number;
  socket: net.Socket;
}

/** A TCP server that reads HTTP requests and lets the test write any bytes back. */
export async function rawServer(answer: (req: RawRequest) => void): Promise<{ url: string; requests: RawRequest[]; connections: () => number }> {
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

export function client(url: string, max = 4, options: ClientOptions = {}): HttpClient {
  const c = new HttpClient(url, new AbortController().signal, max, options);
  cleanups.push(() => c.close());
  return c;
}

export const okAnswer = (body: string, extra = '') => `HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;

/** A node:http server on a loopback port; returns its URL. */
export async function httpServer(server: http.Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  cleanups.push(() => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  });
  return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}
