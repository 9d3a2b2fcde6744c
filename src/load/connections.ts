import { Client } from 'undici';

/** Whoever waits for a connection. An object rather than a callback: a request's handler is one, so taking a connection allocates nothing. */
export interface ConnectionUser {
  useConnection(client: Client): void;
}

/**
 * Keep-alive connections to one origin, each carrying one request at a time, as a browser's
 * connection does. A request takes a free connection (or opens one, up to `max`) and gives it
 * back when undici is done with it; past `max`, requests wait in order.
 *
 * Used instead of undici's Pool for plain requests: the Pool looks for a free client on every
 * dispatch and re-dispatches on every client's 'drain' event, bookkeeping that showed up in
 * profiles of bench/load.ts at several percent of the time per request.
 */
export class Connections {
  private readonly idle: Client[] = [];
  private readonly all: Client[] = [];
  private readonly waiting: ConnectionUser[] = [];
  private closed = false;

  constructor(
    private readonly origin: string,
    private readonly max: number,
    private readonly options: Client.Options,
  ) {}

  /** Hands `user` a connection now or once one is free; the user must give it back with release(). */
  acquire(user: ConnectionUser): void {
    const free = this.idle.pop();
    if (free) return user.useConnection(free);
    if (this.all.length < this.max && !this.closed) {
      const client = new Client(this.origin, this.options);
      this.all.push(client);
      return user.useConnection(client);
    }
    this.waiting.push(user);
  }

  release(client: Client): void {
    if (this.closed) return;
    const next = this.waiting.shift();
    if (next) next.useConnection(client);
    else this.idle.push(client);
  }

  get open(): number {
    return this.all.length;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.idle.length = 0;
    await Promise.all(this.all.map((c) => c.destroy().catch(() => undefined)));
  }
}
