/**
 * Lost-update races from the target description. Jepsen's acknowledged-write rule: a write the
 * server acknowledged must show in the final state; a 409 is an honest rejection, not a loss.
 * - counter: W concurrent writes of a known delta; the final value must be start + Σ acknowledged deltas.
 * - record: W concurrent read-modify-writes appending a marker to a text; every acknowledged marker must be in the final text.
 */
import type { CookieJar } from '../load/cookies.ts';
import { forEachConcurrent } from '../load/concurrency.ts';
import type { HttpClient, HttpResult } from '../load/http.ts';
import type { Timeline } from '../load/timeline.ts';
import type { Evidence } from '../report/types.ts';
import { getPointer } from './json-pointer.ts';
import { captureVars } from './placeholders.ts';
import type { CounterRace, Race, RecordRace } from './schema.ts';
import { mustSucceed, sendTemplate } from './send.ts';

export interface RaceContext {
  client: HttpClient;
  jar: CookieJar;
  signal: AbortSignal;
  timeoutMs: number;
  writers: number;
  retries: number;
  runId: string;
  timeline: Timeline;
  evidence: Evidence[];
  /** Undo steps, run by the caller even when the race fails. */
  cleanup: Array<() => Promise<void>>;
}

export interface RaceOutcome {
  name: string;
  acknowledged: number;
  rejected: number;
  errors: number;
  reflected: number;
  lost: number;
}

const is2xx = (s: number) => s >= 200 && s < 300;
const cut = (s: string, n = 160) => (s.length > n ? `${s.slice(0, n)}…` : s);

function record(ctx: RaceContext, res: HttpResult): void {
  ctx.timeline.record(is2xx(res.status) || res.status === 409, res.durationMs, res.startedAt + res.durationMs);
}

async function setUp(ctx: RaceContext, race: Race, name: string): Promise<Record<string, unknown>> {
  const vars: Record<string, unknown> = { run: ctx.runId };
  if (!race.create) return vars;
  const made = mustSucceed(await sendTemplate(ctx.client, race.create, vars, ctx.jar, ctx.timeoutMs), `${name}: create`);
  for (const want of Object.keys(race.create.capture ?? {})) {
    if (!(want in made.captured)) throw new Error(`${name}: create ${made.label} answered without ${race.create.capture![want]} (capture "${want}"): ${cut(made.res.text)}`);
  }
  const all = { ...vars, ...captureVars(made.captured) };
  if (race.cleanup) {
    const cleanup = race.cleanup;
    ctx.cleanup.push(async () => void (await sendTemplate(ctx.client, cleanup, all, ctx.jar, ctx.timeoutMs)));
  }
  return all;
}

async function readNumber(ctx: RaceContext, race: CounterRace, vars: Record<string, unknown>, name: string, when: string): Promise<number> {
  const sent = mustSucceed(await sendTemplate(ctx.client, race.read, vars, ctx.jar, ctx.timeoutMs), `${name}: ${when} read`);
  const value = Number(getPointer(sent.json, race.value));
  if (!Number.isFinite(value)) throw new Error(`${name}: ${when} read ${sent.label} has no number at ${race.value}: ${cut(sent.res.text)}`);
  return value;
}

async function counter(ctx: RaceContext, race: CounterRace, name: string): Promise<RaceOutcome> {
  const vars = await setUp(ctx, race, name);
  const start = await readNumber(ctx, race, vars, name, 'first');
  let acknowledged = 0;
  let rejected = 0;
  let errors = 0;
  const samples: unknown[] = [];
  await forEachConcurrent(Array.from({ length: ctx.writers }, (_, i) => i), ctx.writers, ctx.signal, async (vu) => {
    for (let attempt = 0; attempt <= ctx.retries && !ctx.signal.aborted; attempt++) {
      const { res } = await sendTemplate(ctx.client, race.adjust, { ...vars, vu, delta: race.delta }, ctx.jar, ctx.timeoutMs);
      record(ctx, res);
      if (is2xx(res.status)) return void acknowledged++;
      if (res.status === 409) {
        rejected++;
        continue;
      }
      errors++;
      if (samples.length < 3) samples.push({ status: res.status, body: cut(res.text || res.errorMessage || '') });
      return;
    }
  });
  const final = await readNumber(ctx, race, vars, name, 'final');
  const expected = start + acknowledged * race.delta;
  // In writes: how many acknowledged deltas the final value is missing.
  const lost = Math.max(0, Math.round((expected - final) / race.delta));
  if (lost) {
    ctx.evidence.push({
      kind: 'lost-counter-writes',
      message: `${name}: ${acknowledged} writes of ${race.delta} acknowledged, value went ${start} → ${final} (expected ${expected}): ${lost} lost (read-modify-write, last write wins)`,
      samples: [{ start, acknowledged, delta: race.delta, expected, final }],
    });
  }
  if (final !== expected && !lost) ctx.evidence.push({ kind: 'counter-over', message: `${name}: final value ${final} is above ${expected} (a write that timed out still landed)` });
  if (errors) ctx.evidence.push({ kind: 'counter-errors', message: `${name}: ${errors} writes failed without a 409`, samples });
  return { name, acknowledged, rejected, errors, reflected: acknowledged - lost, lost };
}

async function readText(ctx: RaceContext, race: RecordRace, vars: Record<string, unknown>, name: string): Promise<{ text: string; captured: Record<string, unknown> } | null> {
  const sent = await sendTemplate(ctx.client, race.read, vars, ctx.jar, ctx.timeoutMs);
  const text = getPointer(sent.json, race.text);
  return is2xx(sent.res.status) && typeof text === 'string' ? { text, captured: sent.captured } : null;
}

async function recordRace(ctx: RaceContext, race: RecordRace, name: string): Promise<RaceOutcome> {
  const vars = await setUp(ctx, race, name);
  const acknowledged: string[] = [];
  let rejected = 0;
  let errors = 0;
  await forEachConcurrent(Array.from({ length: ctx.writers }, (_, i) => i), ctx.writers, ctx.signal, async (vu) => {
    const marker = `#${ctx.runId}-${vu}#`;
    for (let attempt = 0; attempt <= ctx.retries && !ctx.signal.aborted; attempt++) {
      const read = await readText(ctx, race, vars, name);
      if (!read) return void errors++;
      const { res } = await sendTemplate(ctx.client, race.update, { ...vars, ...captureVars(read.captured), vu, edit: `${read.text} ${marker}` }, ctx.jar, ctx.timeoutMs);
      record(ctx, res);
      if (is2xx(res.status)) return void acknowledged.push(marker);
      if (res.status === 409) {
        rejected++;
        continue;
      }
      return void errors++;
    }
  });
  const final = await readText(ctx, race, vars, name);
  if (!final) throw new Error(`${name}: the final read did not return the record's text at ${race.text}`);
  const lostMarkers = acknowledged.filter((m) => !final.text.includes(m));
  if (lostMarkers.length) {
    ctx.evidence.push({
      kind: 'lost-record-writes',
      message: `${name}: ${acknowledged.length} edits acknowledged, ${acknowledged.length - lostMarkers.length} in the final text, ${lostMarkers.length} lost (last write wins)`,
      samples: [{ lostMarkers: lostMarkers.slice(0, 10), finalText: cut(final.text, 200) }],
    });
  }
  if (errors) ctx.evidence.push({ kind: 'record-errors', message: `${name}: ${errors} edits failed without a 409` });
  return { name, acknowledged: acknowledged.length, rejected, errors, reflected: acknowledged.length - lostMarkers.length, lost: lostMarkers.length };
}

/** A short name for a race in messages: its write's path ("POST /api/v1/tallies/{{capture.tallyId}}/points" → "tallies points"). */
export function raceName(race: Race): string {
  const req = race.mode === 'counter' ? race.adjust : race.update;
  const words = req.path.split(/[/?]/).filter((s) => s && !s.includes('{{') && !/^(?:api|v\d+)$/.test(s));
  return `${race.mode} ${words.join(' ') || req.path}`;
}

export function runRace(ctx: RaceContext, race: Race): Promise<RaceOutcome> {
  return race.mode === 'counter' ? counter(ctx, race, raceName(race)) : recordRace(ctx, race, raceName(race));
}
