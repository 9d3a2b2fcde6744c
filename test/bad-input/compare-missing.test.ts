/**
 * The CI gate has no hole: a scenario of the baseline that the current report does not mention is
 * a regression; one the current run skipped on purpose (recorded as `skip`) is not.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report, ScenarioReport } from '../../src/report/types.ts';
import { genieFix, repo, tempDir } from './helpers.ts';

let dir: string;
let baseline: Report;
beforeAll(() => {
  dir = tempDir('compare');
  baseline = JSON.parse(fs.readFileSync(path.join(repo, 'test/fixtures/reports/after.json'), 'utf8')) as Report;
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, scenarios: ScenarioReport[]): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify({ ...baseline, scenarios }));
  return file;
}

describe('compare with scenarios missing from the current report', () => {
  it('one scenario missing: exit 1, naming it', async () => {
    const [first, ...rest] = baseline.scenarios;
    expect(rest.length).toBeGreaterThan(0);
    const run = await genieFix(['compare', write('base.json', baseline.scenarios), write('fewer.json', [first!])]);
    expect(run.code).toBe(1);
    for (const s of rest) expect(run.stdout).toMatch(new RegExp(`regression: ${s.id} verdict: missing from the current report`));
    expect(run.stderr.trim()).toMatch(/^genie-fix: \d+ regression\(s\) in .+ against /);
  });

  it('no scenario at all: exit 1', async () => {
    const run = await genieFix(['compare', write('base.json', baseline.scenarios), write('none.json', [])]);
    expect(run.code).toBe(1);
    expect(run.stdout.match(/missing from the current report/g)).toHaveLength(baseline.scenarios.length);
  });

  it('a scenario skipped on purpose (verdict skip) is not a regression', async () => {
    const skipped = baseline.scenarios.map((s, i): ScenarioReport => (i === 0 ? s : { ...s, verdict: 'skip', summary: 'skipped on purpose (--skip)', metrics: {}, thresholds: {}, evidence: [] }));
    const run = await genieFix(['compare', write('base.json', baseline.scenarios), write('skipped.json', skipped)]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });
});
