import { Connection, type ConnectionOwner, type ConnectionUser, type Exchange, type Origin } from './connection.ts';

export type { ConnectionUser } from './connection.ts';

/**
 * Keep-alive connections to one origin, each carrying one request at a time, as a browser's
 * connection does. A request takes a free connection (or opens one, up to `max`) and the
 * connection comes back when its response ends; past `max`, requests wait in order. Plain requests
 * and streams share the one bound, so a run never opens more than `max` connections to the target.
 */
export class Connections implements ConnectionOwner {
  /** Free connections, most recently used last: they are taken from the end, so the warm ones are reused and the rest age out. */
  private readonly idle: Connection[] = [];
  private readonly all = new Set<Connection>();
  private readonly waiting: ConnectionUser[] = [];
  /** Index of the first waiter still in `waiting` (shifting a long queue on every release would copy it). */
  private waitingHead = 0;
  private closed = false;

  constructor(
    private readonly origin: Origin,
    private readonly max: number,
    /** How long an idle connection is kept when the server gives no Keep-Alive hint. Units: ms. */
    private readonly idleLimitMs: number,
  ) {}

  /** Hands `user` a connection now or once one is free; the connection returns itself when its response ends. */
  acquire(user: ConnectionUser): void {
    if (this.idle.length > 0) {
      const now = performance.now();
      let conn: Connection | undefined;
      while ((conn = this.idle.pop()) !== undefined) {
        if (conn.retireAt > now) return user.useConnection(conn);
        // Past the server's keep-alive (less a margin): it may be closing it as we write.
        this.all.delete(conn);
        conn.retire();
      }
    }
    if (this.all.size < this.max && !this.closed) return user.useConnection(this.connect());
    this.waiting.push(user);
  }

  /** A connection whose response ended cleanly: the next waiter's, or idle. A user that took one and no longer needs it gives it back here too. */
  release(conn: Connection): void {
    if (this.closed) {
      this.all.delete(conn);
      return conn.retire();
    }
    const next = this.nextWaiter();
    if (next) next.useConnection(conn);
    else this.idle.push(conn);
  }

  lost(conn: Connection, exchange: Exchange | null, err: Error, stale: boolean): void {
    this.all.delete(conn);
    const at = this.idle.indexOf(conn);
    if (at >= 0) this.idle.splice(at, 1);
    if (exchange) {
      if (stale && exchange.retryOnFresh && !this.closed) {
        // The slot just freed goes to the retry before any waiter: the request was already under way.
        exchange.retryOnFresh = false;
        exchange.useConnection(this.connect());
      } else {
        exchange.onFailure(err);
      }
    }
    // A slot is free: a waiter gets a new connection.
    while (!this.closed && this.all.size < this.max) {
      const next = this.nextWaiter();
      if (!next) break;
      next.useConnection(this.connect());
    }
  }

  /** Connections open or opening. */
  get size(): number {
    return this.all.size;
  }

  /** Closes every connection; a request still on one fails with `err`. */
  close(err: Error): void {
    this.closed = true;
    this.idle.length = 0;
    this.waiting.length = 0;
    this.waitingHead = 0;
    for (const conn of [...this.all]) conn.destroy(err);
    this.all.clear();
  }

  private connect(): Connection {
    const conn = new Connection(this.origin, this, this.idleLimitMs);
    this.all.add(conn);
    return conn;
  }

  private nextWaiter(): ConnectionUser | undefined {
    if (this.waitingHead >= this.waiting.length) return undefined;
    const next = this.waiting[this.waitingHead];
    this.waiting[this.waitingHead++] = undefined as unknown as ConnectionUser;
    if (this.waitingHead === this.waiting.length) {
      this.waiting.length = 0;
      this.waitingHead = 0;
    } else if (this.waitingHead > 1024 && this.waitingHead * 2 > this.waiting.length) {
      this.waiting.splice(0, this.waitingHead);
      this.waitingHead = 0;
    }
    return next;
  }
}
