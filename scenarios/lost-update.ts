/**
 * Concurrent read-modify-writes on records this scenario creates, then a final read. Jepsen's
 * acknowledged-write rule: a write the server acknowledged must be in the final state; a 409 is an
 * honest rejection, not a loss.
 */
import type { Scenario, ScenarioContext } from './types.ts';
import { cut, n } from './measure.ts';
import { forEachConcurrent } from '../src/load/concurrency.ts';
import type { CookieJar } from '../src/load/cookies.ts';
import { parseJson, type HttpResult } from '../src/load/http.ts';
import { noSessionMessage } from '../src/load/sessions.ts';
import { Timeline } from '../src/load/timeline.ts';
import type { Evidence, MetricValue } from '../src/report/types.ts';
import { runRace, type RaceOutcome } from '../src/target/races.ts';

interface ChecklistItem {
  id: number;
  text: string;
  version?: number;
  updatedAt?: string;
}

function jsonOrThrow<T>(res: HttpResult, what: string): T {
  if (res.status === 0) throw new Error(`${what}: ${res.errorClass} (${res.errorMessage ?? ''})`);
  const parsed = parseJson<T>(res);
  if (!parsed.ok) throw new Error(`${what} ${parsed.reason}`);
  if (res.status >= 400) throw new Error(`${what} answered HTTP ${res.status}: ${cut(res.text, 160)}`);
  return parsed.value;
}

const is2xx = (s: number) => s >= 200 && s < 300;

async function checklistRace(ctx: ScenarioContext, jar: CookieJar, writers: number, runId: string, timeline: Timeline, evidence: Evidence[], cleanup: Array<() => Promise<void>>) {
  const { client, config, signal } = ctx;
  const route = config.routes.checklist;
  const t = config.timeouts.requestMs;
  const created = jsonOrThrow<{ item: ChecklistItem }>(
    await client.request(route, { method: 'POST', json: { text: `genie-fix lost-update ${runId}` }, jar, timeoutMs: t }),
    `POST ${route}`,
  ).item;
  cleanup.push(async () => void (await client.request(`${route}?id=${created.id}`, { method: 'DELETE', jar, timeoutMs: t })));

  const readItem = async (): Promise<ChecklistItem | null> => {
    const res = await client.request(route, { jar, timeoutMs: t });
    if (!is2xx(res.status)) return null;
    const parsed = parseJson<{ items?: ChecklistItem[]; item?: ChecklistItem }>(res);
    if (!parsed.ok) return null;
    return parsed.value.items?.find((i) => i.id === created.id) ?? (parsed.value.item?.id === created.id ? parsed.value.item : null);
  };

  const acknowledged: string[] = [];
  let rejected = 0;
  let gaveUp = 0;
  let errors = 0;
  const errorSamples: unknown[] = [];
  const ids = Array.from({ length: writers }, (_, i) => i);
  await forEachConcurrent(ids, writers, signal, async (w) => {
    const marker = `#${runId}-${w}#`;
    for (let attempt = 0; attempt <= config.payloads.lostUpdateRetries && !signal.aborted; attempt++) {
      const item = await readItem();
      if (!item) {
        errors++;
        return;
      }
      const res = await client.request(route, {
        method: 'PATCH',
        json: { id: item.id, text: `${item.text} ${marker}`, version: item.version, updatedAt: item.updatedAt },
        jar,
        timeoutMs: t,
      });
      timeline.record(is2xx(res.status) || res.status === 409, res.durationMs, res.startedAt + res.durationMs);
      if (is2xx(res.status)) {
        acknowledged.push(marker);
        return;
      }
      if (res.status === 409) {
        rejected++;
        continue;
      }
      errors++;
      if (errorSamples.length < 3) errorSamples.push({ status: res.status, body: cut(res.text || res.errorMessage || '') });
      return;
    }
    gaveUp++;
  });
  const final = await readItem();
  if (!final) throw new Error(`final GET ${route} did not return the item the scenario created (id ${created.id})`);
  const lostMarkers = acknowledged.filter((m) => !final.text.includes(m));
  if (lostMarkers.length) {
    evidence.push({
      kind: 'lost-checklist-writes',
      message: `checklist: ${acknowledged.length} edits acknowledged, ${acknowledged.length - lostMarkers.length} in the final text, ${lostMarkers.length} lost (last write wins)`,
      samples: [{ itemId: created.id, lostMarkers: lostMarkers.slice(0, 10), finalText: cut(final.text, 200) }],
    });
  }
  if (errors) evidence.push({ kind: 'checklist-errors', message: `checklist: ${errors} writes failed without a 409`, samples: errorSamples });
  return { acknowledged: acknowledged.length, rejected, gaveUp, errors, reflected: acknowledged.length - lostMarkers.length, lost: lostMarkers.length };
}

async function expensesRace(ctx: ScenarioContext, jar: CookieJar, writers: number, runId: string, timeline: Timeline, evidence: Evidence[], cleanup: Array<() => Promise<void>>) {
  const { client, config, signal } = ctx;
  const t = config.timeouts.requestMs;
  const trip = jsonOrThrow<{ trip: { id: number } }>(
    await client.request(config.routes.trips, { method: 'POST', json: { name: `genie-fix lost-update ${runId}` }, jar, timeoutMs: t }),
    `POST ${config.routes.trips}`,
  ).trip;
  cleanup.push(async () => void (await client.request(`${config.routes.trips}?id=${trip.id}`, { method: 'DELETE', jar, timeoutMs: t })));

  let acknowledged = 0;
  let rejected = 0;
  let errors = 0;
  const errorSamples: unknown[] = [];
  const ids = Array.from({ length: writers }, (_, i) => i);
  await forEachConcurrent(ids, writers, signal, async () => {
    const res = await client.request(config.routes.expenses, {
      method: 'POST',
      json: { tripId: trip.id, amount: 1, description: `genie-fix ${runId}` },
      jar,
      timeoutMs: t,
    });
    timeline.record(is2xx(res.status) || res.status === 409, res.durationMs, res.startedAt + res.durationMs);
    if (is2xx(res.status)) acknowledged++;
    else if (res.status === 409) rejected++;
    else {
      errors++;
      if (errorSamples.length < 3) errorSamples.push({ status: res.status, body: cut(res.text || res.errorMessage || '') });
    }
  });
  const final = jsonOrThrow<{ expenses?: unknown[]; trip?: { totalSpent?: number } }>(
    await client.request(`${config.routes.expenses}?tripId=${trip.id}`, { jar, timeoutMs: t }),
    `GET ${config.routes.expenses}`,
  );
  const reflected = Number(final.trip?.totalSpent ?? 0);
  const rows = Array.isArray(final.expenses) ? final.expenses.length : null;
  const lost = Math.max(0, acknowledged - reflected);
  if (lost) {
    evidence.push({
      kind: 'lost-expense-writes',
      message: `expenses: ${acknowledged} expenses of 1 acknowledged, trip total ${reflected}: ${lost} lost${rows !== null ? ` (${rows} expense rows exist)` : ''}`,
      samples: [{ tripId: trip.id, acknowledged, totalSpent: reflected, expenseRows: rows }],
    });
  }
  if (errors) evidence.push({ kind: 'expense-errors', message: `expenses: ${errors} writes failed without a 409`, samples: errorSamples });
  return { acknowledged, rejected, errors, reflected, lost, rows };
}

/** The races a target description names (counter and record modes, src/target/races.ts), summed. */
async function describedRaces(
  ctx: ScenarioContext,
  races: NonNullable<NonNullable<ScenarioContext['config']['target']>['lostUpdate']>,
  run: { jar: CookieJar; writers: number; runId: string; timeline: Timeline; evidence: Evidence[]; cleanup: Array<() => Promise<void>> },
): Promise<Record<string, MetricValue>> {
  const outcomes: RaceOutcome[] = [];
  for (const race of races) {
    ctx.progress(`${race.mode} race: ${run.writers} concurrent writes`);
    const raceCtx = { client: ctx.client, signal: ctx.signal, timeoutMs: ctx.config.timeouts.requestMs, retries: ctx.config.payloads.lostUpdateRetries, ...run };
    outcomes.push(await runRace(raceCtx, race));
  }
  const sum = (k: 'acknowledged' | 'rejected' | 'errors' | 'reflected' | 'lost') => outcomes.reduce((a, o) => a + o[k], 0);
  return {
    writers: run.writers,
    acknowledged: sum('acknowledged'),
    rejected: sum('rejected'),
    reflected: sum('reflected'),
    lost: sum('lost'),
    errors: sum('errors'),
    lostByRace: Object.fromEntries(outcomes.map((o) => [o.name, o.lost])),
    acknowledgedByRace: Object.fromEntries(outcomes.map((o) => [o.name, o.acknowledged])),
  };
}

export const lostUpdate: Scenario = {
  id: 'lost-update',
  title: 'Concurrent writes are not lost',
  writes: true,
  needsSession: true,

  async run(ctx) {
    // A described target without races: the sample app's checklist/expenses routes are not its routes.
    if (ctx.config.target && !ctx.config.target.lostUpdate) {
      const reason = 'the target description names no lost-update race (target.lostUpdate); genie-fix init lists the read-modify-writes it found but could not describe under target.unresolved';
      return { metrics: {}, evidence: [], unmeasured: { verdict: 'skip', reason } };
    }
    if (ctx.sessions.size === 0) throw new Error(noSessionMessage(ctx.sessions));
    const { jar } = ctx.sessions.get(0);
    const writers = Math.min(ctx.users, ctx.config.payloads.lostUpdateWriters);
    const runId = Date.now().toString(36);
    const timeline = new Timeline();
    const evidence: Evidence[] = [];
    const cleanup: Array<() => Promise<void>> = [];
    try {
      const described = ctx.config.target?.lostUpdate;
      if (described) return { metrics: await describedRaces(ctx, described, { jar, writers, runId, timeline, evidence, cleanup }), evidence, timeline: timeline.points() };
      ctx.progress(`checklist: ${writers} concurrent edits`);
      const c = await checklistRace(ctx, jar, writers, runId, timeline, evidence, cleanup);
      ctx.progress(`expenses: ${writers} concurrent additions`);
      const e = await expensesRace(ctx, jar, writers, runId, timeline, evidence, cleanup);
      const metrics: Record<string, MetricValue> = {
        writers,
        acknowledged: c.acknowledged + e.acknowledged,
        rejected: c.rejected + e.rejected,
        reflected: c.reflected + e.reflected,
        lost: c.lost + e.lost,
        checklistAcknowledged: c.acknowledged,
        checklistRejected409: c.rejected,
        checklistGaveUp: c.gaveUp,
        checklistErrors: c.errors,
        checklistReflected: c.reflected,
        checklistLost: c.lost,
        expensesAcknowledged: e.acknowledged,
        expensesRejected409: e.rejected,
        expensesErrors: e.errors,
        expensesReflected: e.reflected,
        expensesLost: e.lost,
        expenseRows: e.rows,
      };
      return { metrics, evidence, timeline: timeline.points() };
    } finally {
      // Remove what we created even when the run failed or was interrupted.
      for (const undo of cleanup.reverse()) await undo().catch(() => undefined);
    }
  },

  summarize(m) {
    const where = m.lostByRace && typeof m.lostByRace === 'object'
      ? Object.entries(m.lostByRace).map(([race, lost]) => `${race} ${lost}`).join(', ')
      : `checklist ${n(m, 'checklistLost')}, expenses ${n(m, 'expensesLost')}`;
    return `${n(m, 'lost')} of ${n(m, 'acknowledged')} acknowledged writes were lost (${where}); ${n(m, 'rejected')} rejected with 409.`;
  },
};
