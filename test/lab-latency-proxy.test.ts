/** The lab's latency proxy (src/lab/latency-proxy.ts): delay each way, back-pressure, clean ends. */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { startLatencyProxy } from '../src/lab/latency-proxy.ts';
import { cleanups, closeServer, listen, pattern } from './helpers/servers.ts';

async function echoServer(): Promise<{ port: number; server: net.Server; sockets: Set<net.Socket> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.pipe(s);
  });
  const port = await listen(server);
  cleanups.push(() => {
    for (const s of sockets) s.destroy();
    return closeServer(server);
  });
  return { port, server, sockets };
}

describe('latency proxy', () => {
  it('adds the configured delay each way, measured on a round trip', async () => {
    const echo = await echoServer();
    const proxy = await startLatencyProxy({ targetPort: echo.port, delayMs: 60 });
    cleanups.push(() => proxy.close());
    const client = net.connect({ port: proxy.port, host: '127.0.0.1' });
    await new Promise((r) => client.once('connect', r));
    const rtts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      client.write(`ping${i}`);
      const reply = await new Promise<Buffer>((r) => client.once('data', r));
      rtts.push(performance.now() - started);
      expect(reply.toString()).toBe(`ping${i}`);
    }
    client.destroy();
    // Two legs of 60 ms; timers fire no earlier than asked, the upper bound allows for a loaded machine.
    for (const rtt of rtts) {
      expect(rtt).toBeGreaterThanOrEqual(118);
      expect(rtt).toBeLessThan(600);
    }
  });

  it('keeps every byte in order through back-pressure, and a stalled reader stalls the writer', async () => {
    const stalled = new Set<net.Socket>();
    const received: Buffer[] = [];
    let receivedBytes = 0;
    const server = net.createServer((s) => {
      stalled.add(s);
      s.pause();
      s.on('data', (c: Buffer) => {
        received.push(c);
        receivedBytes += c.length;
      });
    });
    const port = await listen(server);
    cleanups.push(() => {
      for (const s of stalled) s.destroy();
      return closeServer(server);
    });
    const proxy = await startLatencyProxy({ targetPort: port, delayMs: 5 });
    cleanups.push(() => proxy.close());

    const total = 64 * 1024 * 1024;
    const client = net.connect({ port: proxy.port, host: '127.0.0.1' });
    await new Promise((r) => client.once('connect', r));
    const chunk = 256 * 1024;
    for (let off = 0; off < total; off += chunk) client.write(pattern(chunk, off));
    await new Promise((r) => setTimeout(r, 1000));
    // The server reads nothing, so most of the 64 MB must still wait in the client: the proxy did not swallow it.
    expect(client.writableLength).toBeGreaterThan(32 * 1024 * 1024);

    const done = new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (receivedBytes >= total) {
          clearInterval(check);
          resolve();
        }
      }, 20);
    });
    for (const s of stalled) s.resume();
    await done;
    client.destroy();
    const all = Buffer.concat(received);
    expect(all.length).toBe(total);
    expect(all.equals(pattern(total))).toBe(true);
    expect(proxy.stats().bytesToTarget).toBe(total);
  }, 60_000);

  it('passes a clean end through after the delay and closes both sides', async () => {
    const echo = await echoServer();
    const proxy = await startLatencyProxy({ targetPort: echo.port, delayMs: 20 });
    cleanups.push(() => proxy.close());
    const client = net.connect({ port: proxy.port, host: '127.0.0.1', allowHalfOpen: true });
    const chunks: Buffer[] = [];
    client.on('data', (c: Buffer) => chunks.push(c));
    const ended = new Promise<void>((r) => client.once('end', () => r()));
    client.end('last words');
    await ended;
    expect(Buffer.concat(chunks).toString()).toBe('last words');
    client.destroy();
    await new Promise((r) => setTimeout(r, 100));
    expect(proxy.stats()).toMatchObject({ connections: 1, active: 0 });
    expect(echo.sockets.size).toBe(0);
  });

  it('tears down the client when the target refuses', async () => {
    const server = net.createServer();
    const port = await listen(server);
    await closeServer(server);
    const proxy = await startLatencyProxy({ targetPort: port, delayMs: 1 });
    cleanups.push(() => proxy.close());
    const client = net.connect({ port: proxy.port, host: '127.0.0.1' });
    client.on('error', () => undefined);
    await new Promise((r) => client.once('close', r));
    expect(proxy.stats().active).toBe(0);
  });
});

