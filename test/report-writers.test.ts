import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { clearSecrets, registerSecret } from '../src/redact.ts';
import { githubAnnotations } from '../src/report/annotations.ts';
import { readReport } from '../src/report/compare.ts';
import { renderJunit } from '../src/report/junit.ts';
import { renderMarkdown } from '../src/report/markdown.ts';
import { reportJsonSchema } from '../src/report/schema.ts';
import type { Report } from '../src/report/types.ts';
import { writeReports } from '../src/report/write.ts';

const root = new URL('../', import.meta.url).pathname;
const fx = (name: string) => readReport(join(root, 'test/fixtures/reports', name));
const tmp = mkdtempSync(join(tmpdir(), 'genie-writers-'));
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
  clearSecrets();
});

/** Rows of the markdown table that follows `header`, split into cells. */
function tableAfter(md: string, header: RegExp): string[][] {
  const lines = md.split('\n');
  const start = lines.findIndex((l) => header.test(l));
  expect(start, `table header ${header}`).toBeGreaterThanOrEqual(0);
  expect(lines[start + 1]).toMatch(/^\|(---\|)+$/);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    // Split on pipes that are not escaped.
    rows.push(line.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim()));
  }
  return rows;
}

describe('report.md', () => {
  it('opens with a verdict table: one row per scenario with its key figure', () => {
    const md = renderMarkdown(fx('before.json'));
    expect(md.split('\n')[0]).toBe('## ❌ genie-fix: 5 of 5 scenarios fail');
    const rows = tableAfter(md, /^\| \| scenario \| verdict \| key figure \|$/);
    expect(rows).toHaveLength(5);
    for (const r of rows) expect(r).toHaveLength(4);
    expect(rows[0]).toEqual(['❌', 'DB connection pool exhaustion `pool-exhaustion`', '**fail**', '87 of 100 requests failed (87 %), p95 10,020 ms']);
    expect(rows[2]![3]).toBe('99 of 100 acknowledged writes lost, 0 rejected (409)');
    expect(md).toContain('<details><summary>❌ <b>lost-update</b>');
  });

  it('adds a before/after table and names regressions when given a baseline', async () => {
    const after = fx('after.json');
    const regressed = fx('regressed.json');
    const out = join(tmp, 'md-baseline');
    await writeReports(regressed, out, { baseline: after });
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toMatch(/\*\*\d+ regression\(s\) against the baseline:\*\*/);
    const rows = tableAfter(md, /^\| scenario \| metric \| before \| after \| change \|$/);
    const lost = rows.find((r) => r[0] === '`lost-update`' && r[1] === 'lost');
    expect(lost).toEqual(['`lost-update`', 'lost', '0', '2', '🔴 **regressed**']);
    expect(rows.find((r) => r[0] === '`pool-exhaustion`' && r[1] === 'verdict')).toEqual(['`pool-exhaustion`', 'verdict', 'pass', 'fail', '🔴 **regressed**']);
    expect(tableAfter(md, /^\| \| scenario \| verdict \| key figure \|$/)[0]![2]).toBe('**fail** (regressed)');
  });

  it('escapes pipes and newlines so a summary cannot break the table', () => {
    const r: Report = structuredClone(fx('after.json'));
    r.scenarios[0]!.title = 'a | b\nc';
    const rows = tableAfter(renderMarkdown(r), /^\| \| scenario \| verdict/);
    expect(rows[0]![1]).toBe('a \\| b c `pool-exhaustion`');
  });
});

describe('junit.xml', () => {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (name) => name === 'testcase' || name === 'testsuite' });

  it('is valid XML with one testsuite and one testcase per scenario', () => {
    const report: Report = structuredClone(fx('before.json'));
    report.scenarios[3]!.verdict = 'skip';
    report.scenarios[3]!.summary = 'skipped: --skip buffer-truncation';
    report.scenarios[4]!.verdict = 'error';
    report.scenarios[4]!.summary = 'login route answered 404 <html> & "quotes"';
    report.scenarios[0]!.evidence.push({ kind: 'control', message: 'bell \u0007 and ]]> and <tag>' });
    const xml = renderJunit(report);
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = parser.parse(xml);
    const suites = doc.testsuites.testsuite;
    expect(suites).toHaveLength(1);
    const suite = suites[0];
    expect(suite).toMatchObject({ '@tests': '5', '@failures': '3', '@errors': '1', '@skipped': '1' });
    const cases = suite.testcase as Array<Record<string, any>>;
    expect(cases.map((c) => c['@classname'])).toEqual(['genie-fix.pool-exhaustion', 'genie-fix.gemini-429', 'genie-fix.lost-update', 'genie-fix.buffer-truncation', 'genie-fix.shared-ip-login']);
    expect(cases[0]!.failure['@type']).toBe('threshold');
    expect(cases[0]!.failure['#text']).toContain('[error] errorRatePct is 87, expected <= 1');
    expect(cases[0]!.failure['#text']).toContain('sorry, too many clients already');
    expect(cases[0]!.failure['#text']).toContain('bell  and ]]> and <tag>');
    expect(cases[3]!.skipped['@message']).toBe('skipped: --skip buffer-truncation');
    expect(cases[4]!.error['@message']).toBe('login route answered 404 <html> & "quotes"');
  });

  it('a passing report has no failure elements', () => {
    const doc = parser.parse(renderJunit(fx('after.json')));
    const cases = doc.testsuites.testsuite[0].testcase as Array<Record<string, unknown>>;
    expect(cases).toHaveLength(5);
    for (const c of cases) expect(c.failure ?? c.error ?? c.skipped).toBeUndefined();
  });
});

describe('GitHub annotations', () => {
  it('one ::error per failing scenario, escaped', () => {
    const lines = githubAnnotations(fx('before.json'));
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^::error title=genie-fix pool-exhaustion failed::87 of 100 requests failed: .*%0A87 of 100 requests failed \(87 %25\)/);
    for (const l of lines) expect(l).not.toContain('\n');
  });

  it('warn-level failures are warnings and a passing report has no errors', () => {
    const r: Report = structuredClone(fx('after.json'));
    const pool = r.scenarios[0]!;
    pool.thresholds.p95Ms = { ...pool.thresholds.p95Ms!, actual: 4000, passed: false, message: 'p95Ms is 4000, expected <= 3000' };
    expect(githubAnnotations(r)).toEqual(['::warning title=genie-fix pool-exhaustion::p95Ms is 4000, expected <= 3000']);
    expect(githubAnnotations(fx('after.json'))).toEqual([]);
  });
});

describe('writeReports', () => {
  it('writes the four files and redacts secrets in every one', async () => {
    registerSecret('hunter2-sample-password');
    const r: Report = structuredClone(fx('before.json'));
    r.target.url = 'http://admin:s3cr3tpw@127.0.0.1:41234';
    r.scenarios[0]!.evidence.push({ kind: 'log', message: 'DATABASE_URL=postgres://app:dbpass99@db/genie login with hunter2-sample-password', samples: [{ 'set-cookie': 'session=abcdef123456' }, 'GET /x?key=AIzaSyA1234567890abcdefghijklmn'] });
    const out = join(tmp, 'redacted');
    const files = await writeReports(r, out);
    expect(files.map((f) => f.slice(out.length + 1))).toEqual(['report.json', 'report.md', 'junit.xml', 'report.html']);
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      for (const secret of ['s3cr3tpw', 'dbpass99', 'hunter2-sample-password', 'abcdef123456', 'AIzaSyA1234567890']) expect(text, `${f} leaks ${secret}`).not.toContain(secret);
    }
    // The written report.json is still a report this tool reads.
    expect(readReport(join(out, 'report.json')).scenarios).toHaveLength(5);
  });
});

describe('schema/report.schema.json', () => {
  it('is the published form of the schema readReport enforces', () => {
    const published = JSON.parse(readFileSync(join(root, 'schema/report.schema.json'), 'utf8'));
    // If this fails after changing src/report/schema.ts, regenerate the file:
    // npx tsx -e "import('./src/report/schema.ts').then(m=>process.stdout.write(JSON.stringify(m.reportJsonSchema(),null,2)+'\n'))" > schema/report.schema.json
    expect(published).toEqual(reportJsonSchema());
    expect(published.properties.schemaVersion).toEqual({ type: 'number', const: 1 });
  });
});
