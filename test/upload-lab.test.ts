/**
 * upload-queue on the real lab: the sample app patched with only upload-queue (the file part streamed with busboy
 * into lib/drive.ts, the body read inside withUploadSlot) must pass upload-memory's rule: 20 concurrent 8 MB
 * uploads grow the app processes' RSS by less than 0.5 × file size per upload (unpatched: ≈ 2.8 ×).
 */
import { mkdtempSync, chmodSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyCodemods } from '../src/apply/index.ts';
import { diagnose } from '../src/diagnose/run.ts';
import { copyAppForPatching, defaultAppDir } from '../src/lab/app.ts';
import { labDown, labUp, type LabInfo } from '../src/lab/index.ts';
import { repoRoot } from '../src/lab/state.ts';

const parent = mkdtempSync(join(tmpdir(), 'genie-upload-lab-'));
chmodSync(parent, 0o755);
const labDir = join(parent, 'lab');
mkdirSync(labDir);
const copyName = `upload-lab-${process.pid}`;
let lab: LabInfo;
let apply: Awaited<ReturnType<typeof applyCodemods>>;

function multipart(parts: Array<{ name: string; value: string; filename?: string }>): { body: string; contentType: string } {
  const boundary = 'genie-upload-lab';
  const body = parts.map((p) => `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ''}\r\n\r\n${p.value}\r\n`).join('') + `--${boundary}--\r\n`;
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

beforeAll(async () => {
  const copy = await copyAppForPatching(defaultAppDir(), copyName);
  // The type-check of the patched app is apply.test.ts's job; here only the running app matters.
  apply = await applyCodemods({ dir: copy, write: true, force: true, typecheck: false, only: ['upload-queue'] });
  lab = await labUp({ app: copy, labDir, instances: 2 });
}, 240_000);

afterAll(async () => {
  await labDown({ labDir }).catch(() => undefined);
  rmSync(parent, { recursive: true, force: true });
  rmSync(join(repoRoot, '.genie-lab', 'apps', copyName), { recursive: true, force: true });
}, 120_000);

describe('upload-queue on the lab', () => {
  it('streams the upload: upload-memory passes, and the route still answers 400 for a missing or empty file', async () => {
    const uq = apply.codemods.find((c) => c.id === 'upload-queue')!;
    expect(uq.changes[0]!.message).toContain("readMultipartFile(request, 'file')");
    const result = await diagnose({ url: lab.url, scenarios: ['upload-memory'], labDir, out: join(parent, 'report'), log: () => undefined });
    const s = result.report.scenarios[0]!;
    expect(s.verdict, s.summary).toBe('pass');
    expect(s.metrics.errors).toBe(0);
    expect(s.metrics.rssPerUploadRatio as number).toBeLessThan(0.5);

    const url = `${lab.url}/api/passport/${'t'.repeat(12)}/upload`;
    for (const parts of [[{ name: 'note', value: 'no file' }], [{ name: 'file', value: '', filename: 'empty.jpg' }]]) {
      const { body, contentType } = multipart(parts);
      const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': contentType } });
      expect(res.status, JSON.stringify(parts)).toBe(400);
    }
    const { body, contentType } = multipart([{ name: 'file', value: 'x'.repeat(1000), filename: 'small.jpg' }]);
    const ok = await fetch(url, { method: 'POST', body, headers: { 'content-type': contentType } });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { size: number }).size).toBe(1000);
  }, 120_000);
});
