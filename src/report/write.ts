/**
 * Writes every report file of a run into `outDir`. Every string goes through redact first: the
 * report object is deep-redacted and each rendered file is redacted again as a last line of defence.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { redact, redactDeep } from '../redact.ts';
import { compareReports } from './compare.ts';
import { renderHtml } from './html.ts';
import { renderJunit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';
import type { Report } from './types.ts';

export const reportFiles = ['report.json', 'report.md', 'junit.xml', 'report.html'] as const;

/** Written to a temp name then renamed, so a reader (CI upload, a watcher) never sees half a file. */
async function writeAtomic(path: string, content: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, content);
  await rename(tmp, path);
}

export async function writeReports(report: Report, outDir: string, opts: { baseline?: Report } = {}): Promise<string[]> {
  const safe = redactDeep(report);
  const baseline = opts.baseline ? redactDeep(opts.baseline) : undefined;
  const compared = baseline ? { baseline, ...compareReports(baseline, safe) } : undefined;
  await mkdir(outDir, { recursive: true });
  const contents: Record<(typeof reportFiles)[number], string> = {
    'report.json': JSON.stringify(safe, null, 2) + '\n',
    'report.md': renderMarkdown(safe, compared),
    'junit.xml': renderJunit(safe),
    'report.html': renderHtml(safe, compared),
  };
  const written: string[] = [];
  for (const name of reportFiles) {
    const path = join(outDir, name);
    await writeAtomic(path, redact(contents[name]));
    written.push(path);
  }
  return written;
}
