import type { Scenario } from './types.ts';
import { cut, n, pct } from './measure.ts';
import { emptyErrorCounts, type ErrorClass } from '../src/load/classify.ts';
import { runVirtualUsers } from '../src/load/concurrency.ts';
import { LatencyHistogram } from '../src/load/histogram.ts';
import { isHtml, parseJson } from '../src/load/http.ts';
import { noSessionMessage } from '../src/load/sessions.ts';
import { Timeline } from '../src/load/timeline.ts';
import { readRequests } from './read-requests.ts';
import type { DbStats } from '../src/db/probe.ts';
import type { Evidence, MetricValue } from '../src/report/types.ts';

/**
 * Which way the database gave out: the server refusing new connections (instances × pool size past
 * max_connections) or requests waiting for a pool slot until they time out.
 */
/** Report metric keys are camelCase (`errorsByClass.tooManyClients`). */
const camel = (k: string) => k.replace(/-([a-z])/g, (_, ch: string) => ch.toUpperCase());

export type PoolMechanism = 'server-refused' | 'pool-wait-timeout' | 'none' | 'unknown';

export function poolMechanism(m: Record<string, MetricValue>): PoolMechanism {
  const byClass = (m.errorsByClass ?? {}) as Record<string, number>;
  const c = (k: ErrorClass) => byClass[camel(k)] ?? 0;
  const errors = n(m, 'errors');
  if (errors === 0) return 'none';
  const max = typeof m.maxConnections === 'number' ? m.maxConnections : null;
  const peak = typeof m.peakAppConnections === 'number' ? m.peakAppConnections : null;
  const reserved = typeof m.reservedConnections === 'number' ? m.reservedConnections : 0;
  if (c('too-many-clients') > 0) return 'server-refused';
  if (max !== null && peak !== null && peak >= max - reserved - 1) return 'server-refused';
  if (c('pool-timeout') + c('connection-timeout') > 0) return 'pool-wait-timeout';
  if (max !== null && peak !== null && c('timeout') + c('5xx') > 0) return 'pool-wait-timeout';
  return 'unknown';
}

const mechanismText: Record<PoolMechanism, string> = {
  'server-refused': 'the database server refused connections (max_connections reached: too many clients)',
  'pool-wait-timeout': "requests waited for the app's connection pool and timed out",
  none: 'no errors',
  unknown: 'errors without a database signature (run with --database-url to see the mechanism)',
};

export const poolExhaustion: Scenario = {
  id: 'pool-exhaustion',
  title: 'DB connection pool under concurrent users',
  writes: false,
  needsSession: true,

  async run(ctx) {
    const { client, config, sessions, signal } = ctx;
    const reads = readRequests(config);
    if ('skip' in reads) return { metrics: {}, evidence: [], unmeasured: { verdict: 'skip', reason: reads.skip } };
    if (sessions.size === 0) throw new Error(noSessionMessage(sessions));
    // One request per route first: an HTML answer means the route is not what we think it is.
    for (const read of reads.calls(0)) {
      const res = await client.request(read.path, { ...read.request, jar: sessions.get(0).jar, timeoutMs: config.timeouts.requestMs });
      const parsed = parseJson(res);
      if (isHtml(res) && !parsed.ok) throw new Error(`${read.label} ${parsed.reason}; set ${config.target ? 'target.reads' : 'routes'} in --config`);
    }

    const hist = new LatencyHistogram();
    const timeline = new Timeline();
    const errorsByClass = emptyErrorCounts();
    const samples = new Map<ErrorClass, { status: number; route: string; body: string }>();
    let requests = 0;
    let ok = 0;
    const watch = ctx.db?.watch();
    let db: DbStats | undefined;
    const rounds = config.payloads.poolRounds;
    try {
      await runVirtualUsers(ctx.users, signal, async (vu) => {
        const { jar } = sessions.get(vu);
        const calls = reads.calls(vu);
        for (let round = 0; round < rounds && !signal.aborted; round++) {
          for (const { label: route, path, request } of calls) {
            if (signal.aborted) return;
            const res = await client.request(path, { ...request, jar, timeoutMs: config.timeouts.requestMs });
            if (res.errorClass === 'aborted') return;
            requests++;
            hist.record(res.durationMs);
            timeline.record(res.errorClass === null, res.durationMs, res.startedAt + res.durationMs);
            if (res.errorClass === null) ok++;
            else {
              errorsByClass[res.errorClass]++;
              if (!samples.has(res.errorClass)) samples.set(res.errorClass, { status: res.status, route, body: cut(res.text || res.errorMessage || '') });
            }
          }
          ctx.progress(`${requests} requests, ${requests - ok} errors`);
        }
      });
    } finally {
      db = watch ? await watch.stop() : undefined;
    }
    const lat = hist.summary();
    const errors = requests - ok;
    const metrics: Record<string, MetricValue> = {
      users: ctx.users,
      sessions: sessions.size,
      requests,
      ok,
      errors,
      errorRatePct: pct(errors, requests),
      errorsByClass: Object.fromEntries(
        Object.entries(errorsByClass)
          .filter(([k, v]) => v > 0 || ['timeout', '5xx', 'pool-timeout'].includes(k))
          .map(([k, v]) => [camel(k), v]),
      ),
      p50Ms: lat.p50Ms,
      p95Ms: lat.p95Ms,
      p99Ms: lat.p99Ms,
      maxMs: lat.maxMs,
    };
    if (db) {
      metrics.maxConnections = db.maxConnections;
      metrics.reservedConnections = db.reservedConnections;
      metrics.peakAppConnections = db.peakAppConnections;
      metrics.peakLockWaiting = db.peakLockWaiting;
      metrics.xactCommitDelta = db.xactCommitDelta;
      metrics.xactRollbackDelta = db.xactRollbackDelta;
      metrics.xactPerRequest = requests ? Math.round((db.xactCommitDelta / requests) * 100) / 100 : null;
    }
    metrics.mechanism = poolMechanism(metrics);
    const evidence: Evidence[] = [];
    if (errors > 0) {
      evidence.push({
        kind: 'errors',
        message: `${errors} of ${requests} requests failed (${metrics.errorRatePct} %): ${mechanismText[metrics.mechanism as PoolMechanism]}`,
        samples: [...samples.entries()].map(([cls, s]) => ({ class: cls, ...s })),
      });
    }
    if (db) {
      evidence.push({
        kind: 'database',
        message: `max_connections ${db.maxConnections} (${db.reservedConnections} reserved); peak client connections ${db.peakAppConnections}; ${db.xactCommitDelta} commits, ${db.xactRollbackDelta} rollbacks`,
        samples: [{ rolesAtPeak: db.rolesAtPeak, samples: db.samples, sampleIntervalMs: db.sampleIntervalMs }],
      });
    }
    return { metrics, evidence, timeline: timeline.points() };
  },

  summarize(m) {
    const base = `${n(m, 'errors')} of ${n(m, 'requests')} DB-backed requests failed (${n(m, 'errorRatePct')} %), p95 ${m.p95Ms ?? '–'} ms`;
    const db = typeof m.maxConnections === 'number' ? `; peak ${m.peakAppConnections} connections of max_connections ${m.maxConnections}` : '';
    const why = n(m, 'errors') > 0 ? `: ${mechanismText[(m.mechanism as PoolMechanism) ?? 'unknown']}` : '';
    return `${base}${db}${why}.`;
  },
};
