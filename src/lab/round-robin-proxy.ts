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
  /** Requests sent again after a kept-alive connection turned out to be closed by the instance. */
  retries: number;
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

/**
 * How long an idle upstream connection is kept for reuse. Units: ms. It must end before the
 * instance closes it: `next start` keeps Node's default keepAliveTimeout of 5 s. Node's Agent only
 * honours the server's `Keep-Alive: timeout=5` hint (minus 1 s) when the agent has a `timeout` of its
 * own; without one, idle sockets were kept forever and, while the proxy was busy under load, a
 * request could be written to a socket the instance had just closed: 502 "socket hang up".
 */
const IDLE_UPSTREAM_SOCKET_MS = 4_000;
/** Request bodies kept for a replay, at most. Units: bytes. */
const MAX_REPLAY_BODY = 1024 * 1024;
// RFC 9110 §9.2.2: repeating these has the same effect as sending them once.
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

/**
 * True for the failure of a reused keep-alive connection that the instance closed before reading
 * our request: nothing of a response arrived, so the instance never handled it.
 */
function isStaleConnection(upstream: http.ClientRequest, err: NodeJS.ErrnoException): boolean {
  return upstream.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE');
}

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
  // `timeout` here only ends idle (free) sockets; a socket serving a long stream is not cut by it.
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 256, timeout: IDLE_UPSTREAM_SOCKET_MS });
  const stats: RoundRobinProxyStats = { requests: 0, perTarget: targets.map(() => 0), upstreamErrors: 0, retries: 0 };
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

    // An idempotent request's body is kept (bounded) so it can be sent again on a fresh connection.
    const replayable = IDEMPOTENT.has(req.method ?? 'GET');
    const body: Buffer[] = [];
    let bodyBytes = 0;
    if (replayable) {
      req.on('data', (chunk: Buffer) => {
        bodyBytes += chunk.length;
        if (bodyBytes <= MAX_REPLAY_BODY) body.push(chunk);
      });
    }
    let upstream: http.ClientRequest;

    const forward = (attempt: number): void => {
      upstream = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent }, (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.statusMessage, endToEndHeaders(upRes.headers));
        // Streamed replies must reach the client as they are produced, not when the buffer fills.
        res.flushHeaders();
        upRes.pipe(res);
        upRes.on('error', () => res.destroy());
      });
      const sent = upstream;
      sent.on('error', (err: NodeJS.ErrnoException) => {
        const canReplay = replayable && attempt === 0 && req.complete && bodyBytes <= MAX_REPLAY_BODY && !res.headersSent;
        if (canReplay && isStaleConnection(sent, err)) {
          stats.retries++;
          forward(1);
          return;
        }
        stats.upstreamErrors++;
        if (!res.headersSent) {
          const text = `lab proxy: instance ${target.host} unreachable: ${err.message}\n`;
          res.writeHead(502, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(text) });
          res.end(text);
        } else {
          res.destroy();
        }
      });
      if (attempt === 0) req.pipe(sent);
      else sent.end(Buffer.concat(body));
    };
    forward(0);
    // A client that goes away mid-request or mid-stream releases the instance too.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
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
