/**
 * Watches the target's PostgreSQL while a scenario runs (`--database-url`): the server's connection
 * ceiling, the peak connections the app holds, lock waits, and transactions committed/rolled back.
 * One connection, opened before the load so the probe itself is never refused.
 */
import pg, { type ClientConfig } from 'pg';
import { describeDatabase, parseDatabaseUrl } from './database-url.ts';
import { UnreachableError } from '../errors.ts';
import { redact, registerSecret } from '../redact.ts';

/** Units: counts; intervals in milliseconds. */
export interface DbStats {
  maxConnections: number;
  reservedConnections: number;
  /** Highest number of client backends seen at once, the probe's own excluded. */
  peakAppConnections: number;
  /** Highest number of backends waiting on a lock at once. */
  peakLockWaiting: number;
  /** Highest number of backends running a query at once. */
  peakActive: number;
  xactCommitDelta: number;
  xactRollbackDelta: number;
  samples: number;
  sampleIntervalMs: number;
  /** Client backends by role at the peak sample. */
  rolesAtPeak: Record<string, number>;
}

export interface DbWatch {
  stop(): Promise<DbStats>;
}

export interface DbProbe {
  readonly maxConnections: number;
  readonly reservedConnections: number;
  /** Starts sampling every `intervalMs` (100–200 ms) until `stop()`. */
  watch(intervalMs?: number): DbWatch;
  /**
   * The database's committed/rolled-back transaction counters now (pg_stat_database). Each call
   * itself commits 2 transactions on the probe's connection; PostgreSQL ≥ 15 publishes a backend's
   * counts when it goes idle, at most once a second (an idle backend within ~10 s).
   */
  transactions(): Promise<{ commit: number; rollback: number }>;
  close(): Promise<void>;
}

/** Registers the URL's password as a secret and returns a printable form. */
export function registerDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) registerSecret(decodeURIComponent(u.password));
    if (u.password) registerSecret(u.password);
  } catch {
    // Not a URL: the pattern in redact.ts still masks user:password@.
  }
  return redact(url);
}

const activitySql = `
  SELECT usename, count(*)::int AS n,
         count(*) FILTER (WHERE wait_event_type = 'Lock')::int AS waiting,
         count(*) FILTER (WHERE state = 'active')::int AS active
  FROM pg_stat_activity
  WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()
  GROUP BY usename`;

const xactSql = `SELECT xact_commit::bigint AS c, xact_rollback::bigint AS r FROM pg_stat_database WHERE datname = current_database()`;

/** `target`: --database-url as given (checked here) or as parsed by parseDatabaseUrl. */
export async function openDbProbe(target: string | ClientConfig): Promise<DbProbe> {
  const config = typeof target === 'string' ? parseDatabaseUrl(target) : target;
  if (config.connectionString) registerDatabaseUrl(config.connectionString);
  const printable = describeDatabase(config);
  const client = new pg.Client({ ...config, connectionTimeoutMillis: 5000, application_name: 'genie-fix-probe' });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    throw new UnreachableError(`cannot connect to --database-url ${printable}: ${redact((err as Error).message)}`, 'check the host, port and credentials, or leave --database-url out');
  }
  const setting = async (name: string) => Number((await client.query(`SHOW ${name}`)).rows[0]?.[name] ?? 0);
  const maxConnections = await setting('max_connections');
  const reservedConnections = await setting('superuser_reserved_connections');
  let busy: Promise<unknown> = Promise.resolve();
  // One query at a time on the single connection.
  const run = <T>(fn: () => Promise<T>): Promise<T> => {
    const p = busy.then(fn, fn);
    busy = p.catch(() => undefined);
    return p;
  };
  const xact = async () => {
    await client.query('SELECT pg_stat_clear_snapshot()');
    const row = (await client.query(xactSql)).rows[0] as { c: string; r: string } | undefined;
    return { c: Number(row?.c ?? 0), r: Number(row?.r ?? 0) };
  };

  return {
    maxConnections,
    reservedConnections,
    watch(intervalMs = 150) {
      const stats: DbStats = {
        maxConnections,
        reservedConnections,
        peakAppConnections: 0,
        peakLockWaiting: 0,
        peakActive: 0,
        xactCommitDelta: 0,
        xactRollbackDelta: 0,
        samples: 0,
        sampleIntervalMs: intervalMs,
        rolesAtPeak: {},
      };
      let stopped = false;
      const start = run(xact).catch(() => ({ c: 0, r: 0 }));
      const loop = (async () => {
        // Bounded: at most one sample per interval for at most 15 minutes.
        const until = Date.now() + 15 * 60_000;
        while (!stopped && Date.now() < until) {
          try {
            const rows = (await run(() => client.query(activitySql))).rows as Array<{ usename: string | null; n: number; waiting: number; active: number }>;
            const total = rows.reduce((s, r) => s + r.n, 0);
            if (total > stats.peakAppConnections) {
              stats.peakAppConnections = total;
              stats.rolesAtPeak = Object.fromEntries(rows.map((r) => [r.usename ?? '(none)', r.n]));
            }
            stats.peakLockWaiting = Math.max(stats.peakLockWaiting, rows.reduce((s, r) => s + r.waiting, 0));
            stats.peakActive = Math.max(stats.peakActive, rows.reduce((s, r) => s + r.active, 0));
            stats.samples++;
          } catch {
            // A failed sample is skipped; the next one may succeed.
          }
          await new Promise((r) => setTimeout(r, intervalMs));
        }
      })();
      return {
        async stop() {
          stopped = true;
          await loop;
          const before = await start;
          const after = await run(xact).catch(() => before);
          stats.xactCommitDelta = after.c - before.c;
          stats.xactRollbackDelta = after.r - before.r;
          return stats;
        },
      };
    },
    async transactions() {
      const { c, r } = await run(xact);
      return { commit: c, rollback: r };
    },
    async close() {
      await client.end().catch(() => undefined);
    },
  };
}
