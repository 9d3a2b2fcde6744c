/**
 * Writes every report file of a run into `outDir`. Every string goes through redact first: the
 * report object is deep-redacted and each rendered file is redacted again as a last line of defence.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { UsageError } from '../errors.ts';
import { join } from 'node:path';
import { redact, redactDeep } from '../redact.ts';
import { compareReports } from './compare.ts';
import { renderHtml } from './html.ts';
import { renderJunit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';
import type { Report } from './types.ts';

// redact() catches `cookie: value` in text, but a sample captured as an object ({"set-cookie": …})
// puts a quote between name and value: secrets under these keys are replaced whole.
const secretKey = /^(cookie|set-cookie|authorization|proxy-authorization|x-goog-api-key|x-api-key|api[-_]?key|password|passwd|secret|token|session)$/i;

export function redactReport<T>(value: T): T {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, secretKey.test(k) && x !== null && typeof x !== 'object' ? '***' : walk(x)]));
    }
    return v;
  };
  return redactDeep(walk(value) as T);
}

export const reportFiles = ['report.json', 'report.md', 'junit.xml', 'report.html'] as const;

/** Written to a temp name then renamed, so a reader (CI upload, a watcher) never sees half a file. */
async function writeAtomic(path: string, content: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, content);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Makes `dir` (and its parents) and proves a file can be written in it, before a run spends minutes
 * measuring: a file where the folder should be, or a read-only place, is a usage error now.
 */
export async function ensureWritableDir(dir: string, flag = '--out'): Promise<void> {
  const probe = join(dir, `.genie-fix-write-check.${process.pid}`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(probe, '');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    const why = code === 'EEXIST' || code === 'ENOTDIR' ? 'is a file, not a folder' : code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'is not writable' : 'cannot be written';
    throw new UsageError(`${flag} ${dir} ${why} (${code})`, `choose a folder you can write to with ${flag} <dir>`);
  } finally {
    await rm(probe, { force: true }).catch(() => undefined);
  }
}

export async function writeReports(report: Report, outDir: string, opts: { baseline?: Report } = {}): Promise<string[]> {
  const safe = redactReport(report);
  const baseline = opts.baseline ? redactReport(opts.baseline) : undefined;
  const compared = baseline ? { baseline, ...compareReports(baseline, safe) } : undefined;
  await ensureWritableDir(outDir);
  const contents: Record<(typeof reportFiles)[number], string> = {
    'report.json': JSON.stringify(safe, null, 2) + '\n',
    'report.md': renderMarkdown(safe, compared),
    'junit.xml': renderJunit(safe),
    'report.html': renderHtml(safe, compared),
  };
  const written: string[] = [];
  for (const name of reportFiles) {
    const path = join(outDir, name);
    try {
      await writeAtomic(path, redact(contents[name]));
    } catch (err) {
      // Checked writable before the run (ensureWritableDir); this is the folder going away or a full disk meanwhile.
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      throw new UsageError(`cannot write ${path} (${code})${written.length ? `; written: ${written.join(', ')}` : ''}`, 'free space or choose another --out folder, then run again');
    }
    written.push(path);
  }
  return written;
}
