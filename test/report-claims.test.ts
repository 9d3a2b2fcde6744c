/** src/report/claims.ts: the memo's claimed results next to the measured numbers, as pure data. */
import { describe, expect, it } from 'vitest';
import { changePct, claimsTable, renderClaims } from '../src/report/claims.ts';
import type { Report, ScenarioReport } from '../src/report/types.ts';

function scenario(id: string, metrics: ScenarioReport['metrics'], verdict: ScenarioReport['verdict'] = 'fail'): ScenarioReport {
  return { id, title: id, verdict, summary: '', metrics, thresholds: {}, evidence: [], durationMs: 1 };
}
function report(scenarios: ScenarioReport[]): Report {
  return {
    schemaVersion: 1,
    tool: { name: 'genie-fix', version: '0' },
    target: { url: 'http://127.0.0.1:1' },
    startedAt: '2025-01-28T00:00:00Z',
    durationMs: 1,
    options: { users: 100, scenarios: scenarios.map((s) => s.id) },
    scenarios,
  };
}

describe('claims table', () => {
  const before = report([
    scenario('pool-exhaustion', { users: 100, errorRatePct: 88 }),
    scenario('gemini-429', { chats: 100, aiFailures: 70, ttftP50Ms: 1000, ttftP95Ms: 4000 }),
    scenario('lost-update', { lost: 30 }),
    scenario('buffer-truncation', { truncated: 3 }),
    scenario('cache-effectiveness', { xactPerChat: 3 }),
    scenario('upload-memory', { rssGrowthBytes: 500 * 1048576 }),
  ]);
  const after = report([
    scenario('pool-exhaustion', { users: 100, errorRatePct: 0 }, 'pass'),
    scenario('gemini-429', { chats: 100, aiFailures: 0, ttftP50Ms: 1500, ttftP95Ms: 9000 }, 'pass'),
    scenario('lost-update', { lost: 0 }, 'pass'),
    scenario('buffer-truncation', { truncated: 0 }, 'pass'),
    scenario('cache-effectiveness', { xactPerChat: 1.2 }, 'pass'),
    scenario('upload-memory', { rssGrowthBytes: 'n/a' }, 'pass'),
  ]);

  it('marks each memo claim confirmed, refuted or not measured from the numbers', () => {
    const rows = claimsTable(before, after);
    expect(rows.map((r) => [r.claim, r.status])).toEqual([
      ['100 concurrent users OK', 'confirmed'],
      ['DB queries −90 %', 'refuted'],
      ['responses +50 % faster', 'refuted'],
      ['upload memory −70 %', 'not measured'],
      ['no AI failures', 'confirmed'],
      ['no lost data', 'confirmed'],
    ]);
    expect(rows[1]).toMatchObject({ before: '3', after: '1.2', change: '−60 %' });
    expect(rows[2]?.change).toBe('p50 +50 %, p95 +125 %');
  });

  it('confirms a reduction that meets the claim and treats skipped scenarios as not measured', () => {
    const b = report([scenario('cache-effectiveness', { xactPerChat: 10 }), scenario('upload-memory', { rssGrowthBytes: 100 })]);
    const a = report([scenario('cache-effectiveness', { xactPerChat: 0.5 }, 'pass'), scenario('upload-memory', { rssGrowthBytes: 40 }, 'skip')]);
    const rows = claimsTable(b, a);
    expect(rows.find((r) => r.claim === 'DB queries −90 %')?.status).toBe('confirmed');
    expect(rows.find((r) => r.claim === 'upload memory −70 %')?.status).toBe('not measured');
    expect(rows.find((r) => r.claim === 'no lost data')?.status).toBe('not measured');
    expect(changePct(0, 5)).toBeNull();
  });

  it('renders a terminal table with one line per claim', () => {
    const text = renderClaims(claimsTable(before, after));
    const lines = text.split('\n');
    expect(lines).toHaveLength(8);
    expect(lines[0]).toMatch(/^memo claim\s+measured\s+before\s+after\s+verdict$/);
    expect(text).toMatch(/DB queries −90 %.*3 .*1\.2 \(−60 %\).*✘ refuted/);
  });
});
