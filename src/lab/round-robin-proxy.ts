import http from 'node:http';
import type net from 'node:net';

/**
 * Stands in for the platform's load balancer: each request goes to the next instance in turn,
 * bodies stream both ways (chat replies arrive as they are produced), and the client's
 * x-forwarded-for passes through so per-IP logic in the app sees what the client sent.
 */
export interface RoundRobinProxyOptions {
  /** Base URLs of the instances, e.g. http://127.0.0.1:4001. */
  targets: string[];
  /** Listening port; 0 (default) lets the OS choose. */
  port?: number;
}

export interface RoundRobinProxyStats {
  requests: number;
  /** Requests sent to each target, in the order of `targets`. */
  perTarget: number[];
  upstreamErrors: number;
}

export interface RoundRobinProxy {
  url: string;
  port: number;
  stats(): RoundRobinProxyStats;
  close(): Promise<void>;
}

// Hop-by-hop headers belong to one connection, not to the request (RFC 9110 §7.6.1).
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

function endToEndHeaders(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  return out;
}

export async function startRoundRobinProxy(opts: RoundRobinProxyOptions): Promise<RoundRobinProxy> {
  if (opts.targets.length === 0) throw new Error('round-robin proxy needs at least one target');
  const targets = opts.targets.map((t) => new URL(t));
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 256 });
  const stats: RoundRobinProxyStats = { requests: 0, perTarget: targets.map(() => 0), upstreamErrors: 0 };
  let next = 0;

  const server = http.createServer((req, res) => {
    const index = next;
    next = (next + 1) % targets.length;
    const target = targets[index]!;
    stats.requests++;
    stats.perTarget[index]!++;

    const headers = endToEndHeaders(req.headers);
    if (!headers['x-forwarded-for']) headers['x-forwarded-for'] = req.socket.remoteAddress ?? '127.0.0.1';
    headers['x-forwarded-host'] ??= req.headers.host ?? '';
    headers['x-forwarded-proto'] ??= 'http';

    const upstream = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers,
        agent,
      },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.statusMessage, endToEndHeaders(upRes.headers));
        // Streamed replies must reach the client as they are produced, not when the buffer fills.
        res.flushHeaders();
        upRes.pipe(res);
        upRes.on('error', () => res.destroy());
      },
    );
    upstream.on('error', (err) => {
      stats.upstreamErrors++;
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`lab proxy: instance ${target.host} unreachable: ${err.message}\n`);
      } else {
        res.destroy();
      }
    });
    // A client that goes away mid-request or mid-stream releases the instance too.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  // Long chat streams must not be cut by the default per-request timeout.
  server.requestTimeout = 0;

  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stats: () => ({ ...stats, perTarget: [...stats.perTarget] }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        agent.destroy();
        server.close(() => resolve());
      }),
  };
}
