/**
 * report.html in a real browser: Debian's chromium (installed by scripts/ensure-chromium.sh, which
 * .ci/run calls before npm test) renders the page; the screenshot must be a real image and the
 * rendered DOM must hold the charts' data marks.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readReport } from '../src/report/compare.ts';
import { renderHtml } from '../src/report/html.ts';
import { writeReports } from '../src/report/write.ts';

const root = new URL('../', import.meta.url).pathname;
const fx = (name: string) => readReport(join(root, 'test/fixtures/reports', name));
const tmp = mkdtempSync(join(tmpdir(), 'genie-html-'));
// Removed with the rest of tmp; set GENIE_KEEP_SCREENSHOT=<path> to keep a copy for a human to look at.
export const SCREENSHOT = process.env.GENIE_KEEP_SCREENSHOT ?? join(tmp, 'report-before-after.png');

function findChromium(): string | undefined {
  return ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
}

/** Runs chromium in its own process group, killed as a group on timeout or failure. */
function chromium(bin: string, args: string[], timeoutMs = 90_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const profile = mkdtempSync(join(tmp, 'profile-'));
    const child = spawn(bin, ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, ...args], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const killGroup = () => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* already gone */ } };
    const timer = setTimeout(() => { killGroup(); reject(new Error(`chromium timed out after ${timeoutMs} ms: ${stderr.slice(-500)}`)); }, timeoutMs);
    child.on('error', (err) => { clearTimeout(timer); killGroup(); reject(err); });
    child.on('close', (code) => { clearTimeout(timer); killGroup(); resolve({ code, stdout, stderr }); });
  });
}

const bin = findChromium();
let htmlPath = '';

beforeAll(async () => {
  const out = join(tmp, 'report');
  await writeReports(fx('after.json'), out, { baseline: fx('before.json') });
  htmlPath = join(out, 'report.html');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('report.html (static)', () => {
  it('is self-contained: no external URL is loaded', () => {
    const html = readFileSync(htmlPath, 'utf8');
    expect(html).not.toMatch(/<script|<link|\ssrc=|url\(\s*['"]?https?:/i);
    expect(html).toContain("default-src 'none'");
  });

  it('without timeline or baseline, still renders every section', () => {
    const r = fx('before.json');
    for (const s of r.scenarios) delete s.timeline;
    const html = renderHtml(r);
    expect(html.match(/<section class="scenario"/g)).toHaveLength(5);
    expect(html).toContain('No timeline recorded for this scenario.');
    expect(html).not.toContain('Before / after');
  });
});

describe.skipIf(!bin)('report.html in headless Chromium', () => {
  it('renders charts with data points and a before/after view', async () => {
    const { stdout } = await chromium(bin!, ['--dump-dom', '--virtual-time-budget=2000', `file://${htmlPath}`]);
    const count = (re: RegExp) => (stdout.match(re) ?? []).length;
    // after.json holds timelines for 3 scenarios: 3 latency and 3 outcome charts.
    expect(count(/<svg[^>]*data-chart="latency"/g)).toBe(3);
    expect(count(/<svg[^>]*data-chart="errors"/g)).toBe(3);
    expect(count(/<circle class="point"[^>]*data-p95-ms="\d+"/g)).toBeGreaterThanOrEqual(80);
    expect(count(/<rect class="bar-errors"[^>]*data-errors="\d+"/g)).toBeGreaterThanOrEqual(60);
    expect(count(/<path d="M[\d.]+,[\d.]+( L[\d.]+,[\d.]+){5,}" class="line-p95"/g)).toBe(3);
    expect(count(/<svg[^>]*data-chart="before-after"/g)).toBe(5);
    expect(count(/<rect class="bar-before"[^>]*data-value="[\d.]+"/g)).toBeGreaterThanOrEqual(10);
    expect(count(/<section class="scenario"[^>]*data-verdict="pass"/g)).toBe(5);
    expect(stdout).toContain('No regression against the baseline.');
  });

  it('takes a screenshot of the page', async () => {
    rmSync(SCREENSHOT, { force: true });
    const r = await chromium(bin!, [`--screenshot=${SCREENSHOT}`, '--window-size=1200,2000', `file://${htmlPath}`]);
    expect(r.code).toBe(0);
    const png = readFileSync(SCREENSHOT);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    // Width and height from the IHDR chunk.
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1200, 2000]);
    // A blank page compresses to a few KB; charts and text do not.
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(60_000);
  });
});

if (!bin) {
  describe('report.html in headless Chromium', () => {
    it.skip('skipped: /usr/bin/chromium is missing and scripts/ensure-chromium.sh could not install it (needs root and apt)', () => {});
  });
}
