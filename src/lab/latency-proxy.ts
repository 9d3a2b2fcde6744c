import net from 'node:net';

/**
 * A TCP proxy that holds every chunk for `delayMs` in each direction before passing it on, so a
 * query costs the round trip a serverless function pays to a managed database and the app's pool
 * is held the way it is in production. Bytes keep their order; a slow reader pauses the writer.
 */
export interface LatencyProxyOptions {
  targetPort: number;
  targetHost?: string;
  /** Units: milliseconds, added to each direction (round trip = 2 × delayMs). */
  delayMs: number;
  /** Listening port; 0 (default) lets the OS choose. */
  port?: number;
}

export interface LatencyProxyStats {
  connections: number;
  active: number;
  peakActive: number;
  bytesToTarget: number;
  bytesFromTarget: number;
}

export interface LatencyProxy {
  port: number;
  stats(): LatencyProxyStats;
  close(): Promise<void>;
}

/** Above this many queued bytes the source is paused until the queue drains below half of it. */
const HIGH_WATER_BYTES = 1024 * 1024;

export async function startLatencyProxy(opts: LatencyProxyOptions): Promise<LatencyProxy> {
  const targetHost = opts.targetHost ?? '127.0.0.1';
  const stats: LatencyProxyStats = { connections: 0, active: 0, peakActive: 0, bytesToTarget: 0, bytesFromTarget: 0 };
  const sockets = new Set<net.Socket>();

  const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
    stats.connections++;
    stats.active++;
    stats.peakActive = Math.max(stats.peakActive, stats.active);
    const upstream = net.connect({ host: targetHost, port: opts.targetPort, allowHalfOpen: true, noDelay: true });
    sockets.add(client);
    sockets.add(upstream);
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      stats.active--;
    };
    // An error or abrupt close on one side tears down the other: half a connection is useless to pg.
    const teardown = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', teardown);
    upstream.on('error', teardown);
    client.on('close', () => {
      sockets.delete(client);
      finish();
    });
    upstream.on('close', () => sockets.delete(upstream));
    delayedPipe(client, upstream, opts.delayMs, (n) => (stats.bytesToTarget += n));
    delayedPipe(upstream, client, opts.delayMs, (n) => (stats.bytesFromTarget += n));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;

  return {
    port,
    stats: () => ({ ...stats }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * Forwards `src` to `dst`, each chunk (and the final end) released `delayMs` after it arrived.
 * One timer per direction, for the head of the queue only: order is the arrival order.
 */
export function delayedPipe(src: net.Socket, dst: net.Socket, delayMs: number, onBytes: (n: number) => void): void {
  const queue: Array<{ chunk: Buffer | null; due: number }> = [];
  let queuedBytes = 0;
  let timer: NodeJS.Timeout | null = null;
  let waitingForDrain = false;
  let paused = false;

  const schedule = () => {
    if (timer || waitingForDrain || queue.length === 0) return;
    timer = setTimeout(flush, Math.max(0, queue[0]!.due - Date.now()));
  };

  const flush = () => {
    timer = null;
    const now = Date.now();
    while (queue.length > 0 && queue[0]!.due <= now) {
      const { chunk } = queue.shift()!;
      if (dst.destroyed) {
        queue.length = 0;
        return;
      }
      if (chunk === null) {
        dst.end();
        return;
      }
      queuedBytes -= chunk.length;
      onBytes(chunk.length);
      if (!dst.write(chunk)) {
        waitingForDrain = true;
        dst.once('drain', () => {
          waitingForDrain = false;
          maybeResume();
          schedule();
        });
        break;
      }
    }
    maybeResume();
    schedule();
  };

  const maybeResume = () => {
    if (paused && !waitingForDrain && queuedBytes < HIGH_WATER_BYTES / 2) {
      paused = false;
      src.resume();
    }
  };

  src.on('data', (chunk: Buffer) => {
    queue.push({ chunk, due: Date.now() + delayMs });
    queuedBytes += chunk.length;
    if (queuedBytes >= HIGH_WATER_BYTES && !paused) {
      paused = true;
      src.pause();
    }
    schedule();
  });
  let ended = false;
  src.on('end', () => {
    ended = true;
    queue.push({ chunk: null, due: Date.now() + delayMs });
    schedule();
  });
  // Closed without a clean end (reset, destroyed): the other side must not wait for more bytes.
  src.on('close', () => {
    if (!ended) dst.destroy();
  });
  dst.on('close', () => {
    if (timer) clearTimeout(timer);
    timer = null;
    queue.length = 0;
  });
}
