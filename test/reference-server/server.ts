/**
 * A small, correct implementation of the sample app's API, for proving that every diagnose verdict
 * can pass. Each flag switches one part to the defective pattern of BRIEF.md, so the same scenario
 * can be shown to fail. In-memory data; the "database" is a bounded connection pool with a round trip.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createUpstream, UpstreamRateLimited } from './upstream.ts';

export interface DefectFlags {
  /** Pool of 3 with a 30 ms wait: requests fail with Prisma's P2024 text. */
  tinyPool?: boolean;
  /** Writes without a version check; expenses read-add-write instead of an atomic increment. */
  blindWrites?: boolean;
  /** Login limited by IP alone (10/min), like the sample app. */
  ipOnlyLimiter?: boolean;
  /** The memo's buffer cap: keep the last 500 000 chars once past 1 000 000. */
  truncatingBuffer?: boolean;
  /** Call the upstream directly; on 429 send the fallback text. */
  noQueue?: boolean;
  /** The chat route answers an HTML page (a misrouted deployment). */
  htmlChat?: boolean;
}

export interface ReferenceServer {
  url: string;
  /** Session ids handed out, so tests can check none leaks into a report. */
  issuedSessions(): string[];
  close(): Promise<void>;
}

const FALLBACK = '죄송합니다. 현재 AI 서비스가 일시적으로 사용 불가합니다. 잠시 후 다시 시도해주세요.';
const QUERY_MS = 8;

class ConnectionPool {
  private free: number;
  private readonly waiters: Array<() => void> = [];
  constructor(size: number, private readonly waitMs: number) {
    this.free = size;
  }
  async query<T>(fn: () => T): Promise<T> {
    if (this.free > 0) this.free--;
    else {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.waiters.splice(this.waiters.indexOf(ready), 1);
          reject(new Error('Timed out fetching a new connection from the connection pool. (P2024)'));
        }, this.waitMs);
        const ready = () => {
          clearTimeout(timer);
          resolve();
        };
        this.waiters.push(ready);
      });
    }
    try {
      await new Promise((r) => setTimeout(r, QUERY_MS));
      return fn();
    } finally {
      const next = this.waiters.shift();
      if (next) next();
      else this.free++;
    }
  }
}

class FixedWindowLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  allow(key: string, limit: number, windowMs = 60_000): boolean {
    const now = Date.now();
    const w = this.windows.get(key);
    if (!w || w.resetAt <= now) {
      this.windows.set(key, { count: 1, resetAt: now + windowMs });
      return true;
    }
    w.count++;
    return w.count <= limit;
  }
}

/** A queue in front of the upstream: bounded concurrency, retries after the upstream's retry delay. */
class UpstreamQueue {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly concurrency: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) await new Promise<void>((r) => this.waiting.push(r));
    this.running++;
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          return await fn();
        } catch (err) {
          if (!(err instanceof UpstreamRateLimited) || attempt >= 30) throw err;
          await new Promise((r) => setTimeout(r, err.retryDelayMs + 20));
        }
      }
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}

interface Item { id: number; userId: number; text: string; completed: boolean; version: number; updatedAt: string }
interface Trip { id: number; userId: number; name: string; active: boolean; totalSpent: number }
interface Expense { id: number; tripId: number; amount: number; description: string }

export async function startReferenceServer(flags: DefectFlags = {}): Promise<ReferenceServer> {
  const users = new Map<string, { id: number; name: string; password: string }>();
  for (let n = 1; n <= 120; n++) {
    const d = String(n).padStart(3, '0');
    users.set(`user${d}@genie.test`, { id: n, name: `Passenger ${d}`, password: `genie-pass-${d}` });
  }
  const sessions = new Map<string, number>();
  const items = new Map<number, Item>();
  const trips = new Map<number, Trip>();
  const expenses = new Map<number, Expense>();
  let nextId = 1;
  const pool = flags.tinyPool ? new ConnectionPool(3, 30) : new ConnectionPool(64, 10_000);
  const limiter = new FixedWindowLimiter();
  const upstream = createUpstream(8);
  const queue = new UpstreamQueue(5);

  const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const readBody = async (req: http.IncomingMessage): Promise<Record<string, unknown>> => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    try {
      return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    } catch {
      return {};
    }
  };
  const sessionUser = async (req: http.IncomingMessage): Promise<number | null> => {
    const sid = /(?:^|;\s*)session=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    return pool.query(() => (sid ? (sessions.get(sid) ?? null) : null));
  };

  async function login(req: http.IncomingMessage, res: http.ServerResponse) {
    const ip = req.socket.remoteAddress ?? 'unknown';
    const body = await readBody(req);
    const email = String(body.email ?? '').toLowerCase();
    // Correct: the key that protects an account is IP + account; the IP alone gets a loose ceiling.
    const allowed = flags.ipOnlyLimiter
      ? limiter.allow(`ip:${ip}`, 10)
      : limiter.allow(`ip:${ip}`, 1000) && limiter.allow(`ip+account:${ip}:${email}`, 10);
    if (!allowed) return json(res, 429, { error: 'too many attempts' }, { 'retry-after': '60' });
    const user = users.get(email);
    const ok = await pool.query(() => !!user && user.password === body.password);
    if (!ok || !user) return json(res, 401, { error: 'wrong email or password' });
    const sid = randomBytes(32).toString('hex');
    sessions.set(sid, user.id);
    res.setHeader('set-cookie', `session=${sid}; Path=/; HttpOnly; SameSite=Lax`);
    json(res, 200, { user: { id: user.id, name: user.name } });
  }

  async function chatStream(req: http.IncomingMessage, res: http.ServerResponse) {
    const body = await readBody(req);
    const prompt = String(body.message ?? '');
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'x-vercel-ai-data-stream': 'v1' });
    const emit = (text: string) => res.write(`0:${JSON.stringify(text)}\n`);
    const events = (raw: string) => {
      for (const block of raw.split('\n\n')) {
        const data = block.startsWith('data: ') ? block.slice(6) : null;
        if (!data) continue;
        try {
          const text = (JSON.parse(data) as { candidates: Array<{ content: { parts: Array<{ text: string }> } }> }).candidates[0]?.content.parts[0]?.text;
          if (text) emit(text);
        } catch {
          // A cut event: its text is gone.
        }
      }
    };
    const relay = async () => {
      let buffer = '';
      for await (const chunk of upstream.stream(prompt)) {
        buffer += chunk;
        if (flags.truncatingBuffer) {
          if (buffer.length > 1_000_000) buffer = buffer.substring(buffer.length - 500_000);
          continue;
        }
        // Drain complete events; keep only the incomplete tail.
        const end = buffer.lastIndexOf('\n\n');
        if (end >= 0) {
          events(buffer.slice(0, end + 2));
          buffer = buffer.slice(end + 2);
        }
      }
      events(buffer);
    };
    try {
      if (flags.noQueue) await relay();
      else await queue.run(relay);
      res.end(`d:${JSON.stringify({ finishReason: 'stop' })}\n`);
    } catch {
      emit(FALLBACK);
      res.end(`d:${JSON.stringify({ finishReason: 'error' })}\n`);
    }
  }

  async function route(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://x');
    const key = `${req.method} ${url.pathname}`;
    if (key === 'GET /api/health') return json(res, 200, { ok: true });
    if (key === 'POST /api/auth/login') return login(req, res);
    if (key === 'POST /api/chat/stream' && flags.htmlChat) {
      res.writeHead(200, { 'content-type': 'text/html' });
      return res.end('<!DOCTYPE html><html><body>Sign in</body></html>');
    }
    const userId = await sessionUser(req);
    if (userId === null) return json(res, 401, { error: 'login required' });
    switch (key) {
      case 'POST /api/chat/stream':
        return chatStream(req, res);
      case 'GET /api/user/profile':
        return json(res, 200, { user: await pool.query(() => ({ id: userId })) });
      case 'GET /api/trips/active':
        return json(res, 200, { trip: await pool.query(() => [...trips.values()].find((t) => t.userId === userId && t.active) ?? null) });
      case 'GET /api/checklist':
        return json(res, 200, { items: await pool.query(() => [...items.values()].filter((i) => i.userId === userId)) });
      case 'POST /api/checklist': {
        const body = await readBody(req);
        const item: Item = { id: nextId++, userId, text: String(body.text ?? ''), completed: false, version: 0, updatedAt: new Date().toISOString() };
        await pool.query(() => items.set(item.id, item));
        return json(res, 201, { item });
      }
      case 'PATCH /api/checklist': {
        const body = await readBody(req);
        const current = await pool.query(() => items.get(Number(body.id)));
        if (!current || current.userId !== userId) return json(res, 404, { error: 'not found' });
        // Correct: the write applies only to the version the client read (one atomic step).
        const item = await pool.query(() => {
          const now = items.get(current.id) as Item;
          if (!flags.blindWrites && body.version !== undefined && body.version !== now.version) return null;
          const next = { ...now, text: typeof body.text === 'string' ? body.text : now.text, version: now.version + 1, updatedAt: new Date().toISOString() };
          items.set(now.id, next);
          return next;
        });
        return item ? json(res, 200, { item }) : json(res, 409, { error: '다른 사용자가 수정했습니다. 페이지를 새로고침해주세요.' });
      }
      case 'DELETE /api/checklist':
        await pool.query(() => items.delete(Number(url.searchParams.get('id'))));
        return json(res, 200, { ok: true });
      case 'POST /api/trips': {
        const body = await readBody(req);
        const trip: Trip = { id: nextId++, userId, name: String(body.name ?? ''), active: false, totalSpent: 0 };
        await pool.query(() => trips.set(trip.id, trip));
        return json(res, 201, { trip });
      }
      case 'DELETE /api/trips': {
        const id = Number(url.searchParams.get('id'));
        await pool.query(() => {
          trips.delete(id);
          for (const e of expenses.values()) if (e.tripId === id) expenses.delete(e.id);
        });
        return json(res, 200, { ok: true });
      }
      case 'GET /api/expenses': {
        const trip = trips.get(Number(url.searchParams.get('tripId')));
        if (!trip || trip.userId !== userId) return json(res, 404, { error: 'not found' });
        return json(res, 200, { trip, expenses: await pool.query(() => [...expenses.values()].filter((e) => e.tripId === trip.id)) });
      }
      case 'POST /api/expenses': {
        const body = await readBody(req);
        const trip = await pool.query(() => trips.get(Number(body.tripId)));
        const amount = Number(body.amount);
        if (!trip || trip.userId !== userId || !Number.isSafeInteger(amount) || amount <= 0) return json(res, 400, { error: 'bad request' });
        const expense: Expense = { id: nextId++, tripId: trip.id, amount, description: String(body.description ?? '') };
        await pool.query(() => expenses.set(expense.id, expense));
        if (flags.blindWrites) {
          const read = trip.totalSpent;
          await pool.query(() => (trip.totalSpent = read + amount));
        } else {
          await pool.query(() => (trip.totalSpent += amount));
        }
        return json(res, 201, { expense, trip: { id: trip.id, name: trip.name, totalSpent: trip.totalSpent } });
      }
      default:
        return json(res, 404, { error: 'no such route' });
    }
  }

  const server = http.createServer((req, res) => {
    route(req, res).catch((err: Error) => {
      if (!res.headersSent) json(res, 500, { error: err.message });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    issuedSessions: () => [...sessions.keys()],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
