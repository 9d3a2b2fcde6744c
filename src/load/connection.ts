import net from 'node:net';
import tls from 'node:tls';
import { ResponseParser, type ResponseHead, type ResponseSink } from './response-parser.ts';
import { ConnectTimeoutError, ConnectionClosedError, MalformedResponseError, RequestTimeoutError } from './wire-errors.ts';

/** Where connections go: one origin. */
export interface Origin {
  tls: boolean;
  /** Host name or IP address, without IPv6 brackets. */
  hostname: string;
  port: number;
  /** Extra certificate authorities to trust for https (a private CA, a test's self-signed certificate). */
  ca?: string | Buffer | Array<string | Buffer>;
}

/** Whoever waits for a connection. An object rather than a callback: a request is one, so taking a connection allocates nothing. */
export interface ConnectionUser {
  useConnection(conn: Connection): void;
}

/** One request's side of a connection: its bytes, and where the response goes. */
export interface Exchange extends ConnectionUser {
  readonly requestBytes: Buffer;
  /**
   * May be sent again, once, on a fresh connection when a reused one failed before any response
   * byte arrived (a keep-alive socket the server had just closed). Only for GET: a repeated POST
   * could apply a write twice.
   */
  retryOnFresh: boolean;
  onHead(head: ResponseHead): void;
  onBody(chunk: Buffer): void;
  onEnd(): void;
  onFailure(err: Error): void;
}

/** The pool a connection reports to. */
export interface ConnectionOwner {
  /** The response ended and the connection can carry another request. */
  release(conn: Connection): void;
  /** The connection is gone; `exchange` was on it (unless it was idle or aborted), `stale` says a fresh connection may succeed. */
  lost(conn: Connection, exchange: Exchange | null, err: Error, stale: boolean): void;
}

/** A connection (TCP, and TLS's handshake) not made in this time fails, as undici's default connect timeout did. Units: ms. */
const CONNECT_TIMEOUT_MS = 10_000;

/** Retire a socket this long before the server's `Keep-Alive: timeout` hint, so it is never used as the server closes it (undici's threshold). Units: ms. */
const KEEP_ALIVE_MARGIN_MS = 2000;
/** The longest a server's hint can keep an idle socket (undici's keepAliveMaxTimeout). Units: ms. */
const KEEP_ALIVE_MAX_MS = 600_000;

/**
 * One keep-alive HTTP/1.1 connection carrying one request at a time: writes the request's bytes,
 * feeds what arrives to a ResponseParser and reports to the request's Exchange, then goes back to
 * its pool (or closes, when the answer or the server's hint says it cannot be reused).
 */
export class Connection implements ResponseSink {
  private readonly socket: net.Socket;
  private readonly parser = new ResponseParser(this);
  private exchange: Exchange | null = null;
  /** Responses this connection has carried to the end: a failure on a reused connection may be a stale keep-alive. */
  private served = 0;
  private keepAliveHintS: number | null = null;
  private dead = false;
  /** Until the socket is connected (and, for https, its handshake done); then null. */
  private connectTimer: NodeJS.Timeout | null;
  private readonly where: string;
  /** When, on the performance clock, this idle connection stops being safe to reuse. Units: ms. */
  retireAt = Infinity;

  constructor(
    origin: Origin,
    private readonly owner: ConnectionOwner,
    /** How long an idle connection is kept when the server gives no hint. Units: ms. */
    private readonly idleLimitMs: number,
  ) {
    const { hostname, port } = origin;
    this.socket = origin.tls
      ? tls.connect({ host: hostname, port, ALPNProtocols: ['http/1.1'], ca: origin.ca, ...(net.isIP(hostname) ? {} : { servername: hostname }) })
      : net.connect({ host: hostname, port });
    this.where = `${hostname}:${port}`;
    this.connectTimer = setTimeout(() => this.teardown(new ConnectTimeoutError(this.where, CONNECT_TIMEOUT_MS), false), CONNECT_TIMEOUT_MS);
    this.socket.once(origin.tls ? 'secureConnect' : 'connect', this.onConnected);
    this.socket.setNoDelay(true);
    this.socket.on('data', this.onData);
    this.socket.on('end', this.onServerEnd);
    this.socket.on('error', this.onSocketError);
    this.socket.on('close', this.onSocketClose);
  }

  /** Sends an exchange's request; the connection must be idle (fresh or released). */
  send(exchange: Exchange): void {
    this.exchange = exchange;
    this.parser.reset();
    this.keepAliveHintS = null;
    // Idle connections do not keep the process alive (as undici's do not); busy ones do.
    if (this.served > 0) this.socket.ref();
    this.socket.write(exchange.requestBytes);
  }

  /**
   * The error a request on this connection ends with when its own deadline passes: a connect
   * timeout while the connection is still being made (the target may be unreachable, not slow).
   */
  deadlineError(err: Error, timeoutMs: number): Error {
    return this.connectTimer !== null && err instanceof RequestTimeoutError ? new ConnectTimeoutError(this.where, timeoutMs) : err;
  }

  /** Ends the exchange on it now (timeout, run abort, a consumer that stopped reading): the response cannot be finished, so the socket goes. */
  abort(err: Error): void {
    this.exchange = null;
    this.teardown(err, false);
  }

  /** Closes the connection; a request on it fails with `err`. */
  destroy(err: Error): void {
    this.teardown(err, false);
  }

  /** Closes an idle connection quietly (past its keep-alive, or its pool is closed). */
  retire(): void {
    if (this.dead) return;
    this.dead = true;
    this.clearConnectTimer();
    this.parser.stop();
    this.socket.destroy();
  }

  /** Stops reading while a stream's consumer catches up; TCP then slows the server down. */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  onResponseHead(head: ResponseHead): void {
    this.keepAliveHintS = head.keepAliveTimeoutS;
    this.exchange?.onHead(head);
  }

  onResponseBody(chunk: Buffer): void {
    this.exchange?.onBody(chunk);
  }

  onResponseEnd(reusable: boolean): void {
    const exchange = this.exchange;
    this.exchange = null;
    this.served++;
    const hint = this.keepAliveHintS;
    // The server's hint, less the margin, replaces the default idle limit; a hint within the margin means no reuse.
    const keepMs = hint === null ? this.idleLimitMs : Math.min(hint * 1000 - KEEP_ALIVE_MARGIN_MS, KEEP_ALIVE_MAX_MS);
    if (reusable && keepMs > 0 && !this.dead) {
      this.retireAt = performance.now() + keepMs;
      this.socket.resume(); // a stream may have paused it in the same read that ended the response
      this.socket.unref();
      exchange?.onEnd();
      this.owner.release(this);
    } else {
      exchange?.onEnd();
      this.teardown(new ConnectionClosedError('after the response (not reusable)'), false);
    }
  }

  private readonly onConnected = (): void => {
    this.clearConnectTimer();
  };

  private clearConnectTimer(): void {
    if (this.connectTimer !== null) clearTimeout(this.connectTimer);
    this.connectTimer = null;
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.exchange === null) {
      // Nothing was asked: a server talking out of turn cannot be trusted to frame the next answer.
      this.teardown(new MalformedResponseError('data from the server with no request outstanding'), false);
      return;
    }
    try {
      this.parser.feed(chunk);
    } catch (err) {
      this.teardown(err as Error, false);
    }
  };

  private readonly onServerEnd = (): void => {
    // A body that runs to the close ends here; anything else was cut short.
    if (this.exchange !== null && this.parser.end()) return;
    this.teardown(this.closedError(), true);
  };

  private readonly onSocketError = (err: Error): void => {
    this.teardown(this.exchange === null || this.parser.received === 0 ? err : new ConnectionClosedError('in the middle of the response', err), true);
  };

  private readonly onSocketClose = (): void => {
    this.teardown(this.closedError(), true);
  };

  private closedError(): Error {
    return new ConnectionClosedError(this.parser.received === 0 ? 'before answering' : 'in the middle of the response');
  }

  /**
   * The connection is done for: the exchange on it (if any) fails with `err`, the pool forgets it.
   * `byServer`: the server or the network ended it; then a request that got no byte back on a
   * reused connection most likely met a keep-alive the server had just closed.
   */
  private teardown(err: Error, byServer: boolean): void {
    if (this.dead) return;
    this.dead = true;
    this.clearConnectTimer();
    this.parser.stop();
    this.socket.destroy();
    const exchange = this.exchange;
    this.exchange = null;
    const stale = byServer && exchange !== null && this.served > 0 && this.parser.received === 0;
    this.owner.lost(this, exchange, err, stale);
  }
}
