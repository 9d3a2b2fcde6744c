import type { Scenario } from './types.ts';
import { chatCaller, skippedWithoutChat } from './chat-request.ts';
import { cut, n, waitUnlessAborted } from './measure.ts';
import { forEachConcurrent } from '../src/load/concurrency.ts';
import { LatencyHistogram } from '../src/load/histogram.ts';
import { noSessionMessage } from '../src/load/sessions.ts';
import { chat } from '../src/load/stream.ts';
import { Timeline } from '../src/load/timeline.ts';
import type { Evidence, MetricValue } from '../src/report/types.ts';

/**
 * The memo claims "DB queries −90 %" from caching RAG results and popular products. We count what
 * the database actually did: committed transactions (pg_stat_database.xact_commit) per chat request
 * over a burst of chats that repeat a few questions, so a cache has something to hit.
 * pg_stat_statements is not assumed: managed plans and the lab do not always have it.
 *
 * Counting rules: PostgreSQL publishes a backend's counters when it goes idle (at most once a
 * second, an idle backend within ~10 s), so we wait `payloads.cacheSettleMs` after the burst before reading; the
 * probe's own reads (2 transactions each) are subtracted, and we also wait before the first
 * reading so the earlier scenarios' counts are not charged to this burst.
 */

/** Questions a cruise passenger asks again and again; the first is the config's chat message. */
const QUESTIONS = ['기항지 투어는 어디서 예약하나요?', '선내 와이파이 요금은 얼마인가요?', '하선 시 여권이 필요한가요?', '객실 미니바는 무료인가요?'];

const PROBE_XACT_PER_READ = 2;
export const cacheEffectiveness: Scenario = {
  id: 'cache-effectiveness',
  title: 'Repeated chat questions do not re-run the same database reads',
  writes: false,
  needsSession: true,

  async run(ctx) {
    const { client, config, sessions, signal, db } = ctx;
    const skipped = skippedWithoutChat(config);
    if (skipped) return skipped;
    if (!db) {
      return {
        metrics: {},
        evidence: [],
        unmeasured: { verdict: 'skip', reason: 'needs --database-url: database transactions per chat are counted from pg_stat_database' },
      };
    }
    if (sessions.size === 0) throw new Error(noSessionMessage(sessions));
    const settleMs = config.payloads.cacheSettleMs;
    const chats = config.payloads.cacheChats;
    const questions = [config.payloads.chatMessage, ...QUESTIONS].slice(0, config.payloads.cacheQuestions);
    // A few at a time: this measures caching, not the pool (pool-exhaustion does that).
    const concurrency = Math.max(1, Math.min(ctx.users, 4));

    // Counts of earlier scenarios are still being published: let them land before the first reading.
    ctx.progress(`waiting ${Math.round(settleMs / 1000)} s for earlier database activity to be counted`);
    await waitUnlessAborted(settleMs, signal);
    const t1 = await db.transactions();

    const latency = new LatencyHistogram();
    const timeline = new Timeline();
    let done = 0;
    let failed = 0;
    const samples: unknown[] = [];
    const items = Array.from({ length: chats }, (_, i) => i);
    // The app's own chat request (from init's target description), as the other chat scenarios send it.
    const target = chatCaller(config);
    await forEachConcurrent(items, concurrency, signal, async (i) => {
      const question = questions[i % questions.length]!;
      const { path, request } = target.call(question, i);
      const r = await chat(client, path, question, sessions.get(i).jar, config.timeouts.chatMs, { format: ctx.streamFormat, request });
      if (r.failure === 'aborted') return;
      done++;
      // A chat whose HTTP request failed may not have reached the database; count it, but say so.
      if (r.failure) {
        failed++;
        if (samples.length < 3) samples.push({ status: r.status, failure: r.failure, message: cut(r.failureMessage ?? '', 160) });
      }
      latency.record(r.totalMs);
      timeline.record(!r.failure, r.totalMs);
      ctx.progress(`${done}/${chats} chats`);
    });
    ctx.progress(`waiting ${Math.round(settleMs / 1000)} s for PostgreSQL to publish its counters`);
    await waitUnlessAborted(settleMs, signal);
    const t2 = await db.transactions();
    const xact = Math.max(0, t2.commit - t1.commit - PROBE_XACT_PER_READ);
    const lat = latency.summary();
    const metrics: Record<string, MetricValue> = {
      chats: done,
      chatsFailed: failed,
      distinctQuestions: questions.length,
      xactCommitted: xact,
      xactRolledBack: t2.rollback - t1.rollback,
      xactPerChat: done ? Math.round((xact / done) * 100) / 100 : null,
      // Statement counts need pg_stat_statements, which we do not assume.
      queriesPerChat: 'n/a',
      chatP50Ms: lat.p50Ms,
      chatP95Ms: lat.p95Ms,
    };
    const evidence: Evidence[] = [
      {
        kind: 'db-transactions',
        message: `${done} chats cycling ${questions.length} questions committed ${xact} database transactions (${metrics.xactPerChat} per chat)`,
      },
    ];
    if (failed) evidence.push({ kind: 'chat-failures', message: `${failed} of ${done} chats failed at the HTTP level; their database work is still counted`, samples });
    return { metrics, evidence, timeline: timeline.points() };
  },

  summarize(m) {
    return `${n(m, 'chats')} chats over ${n(m, 'distinctQuestions')} repeated questions: ${m.xactPerChat ?? '–'} database transactions per chat.`;
  },
};
