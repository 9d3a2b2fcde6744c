/**
 * Scores one app's apply run against bench/realworld.json: a row per codemod (and one for the app) with files and
 * sites changed, needs-a-human, new type errors, traps touched, idempotence, recall and precision.
 * Precision is judged by the expected list: an edit at a (codemod, file) the list expects to be fixed is counted
 * correct; every other edit is counted as not judged correct until someone reads it and adds it to the list.
 */
import type { ExpectedSite, RealworldApp } from './data.ts';

/** The slice of `apply --json` output the score reads. */
export interface ApplyJson {
  codemods: Array<{
    id: string;
    status: string;
    changedFiles: string[];
    changes: Array<{ file: string; line?: number; message: string }>;
    candidates: Array<{ file: string; line?: number; message: string }>;
    notes?: Array<{ file: string; line?: number; message: string }>;
    failures: Array<{ file: string; message: string }>;
  }>;
  files: Array<{ path: string; created: boolean; diff: string }>;
  dependenciesAdded: Record<string, string>;
  /** How apply proved its edits (in-memory type check); absent on older mains. */
  proof?: { checked: boolean; typescript?: string; reason?: string; editsDropped: number };
  exitCode: number;
}

export interface Row {
  app: string;
  codemod: string;
  filesChanged: number;
  sitesChanged: number;
  needsHuman: number;
  newTypeErrors: number;
  trapsTouched: string[];
  idempotent: boolean;
  expected: number;
  expectedHit: number;
  judgedCorrect: number;
}

export interface RunFacts {
  first: ApplyJson;
  /** Files the second apply --write changed (must be none). */
  secondChanged: string[];
  second?: ApplyJson;
  /** New tsc errors, normalised `file: TSnnnn message` (file relative to the app). */
  newErrors: string[];
  /** untouched files whose bytes differ after the first run. */
  trapsTouched: string[];
}

const siteKey = (codemod: string, file: string): string => `${codemod}\u0000${file}`;

function hit(site: ExpectedSite, c: ApplyJson['codemods'][number] | undefined): boolean {
  if (!c) return false;
  const changed = c.changes.some((n) => n.file === site.file) || c.changedFiles.includes(site.file);
  // A report site (no safe edit known) is handled by a needs-a-human entry; an edit there also counts for recall
  // but is not judged correct until someone reads it (it is not on the fix list).
  const reported = [...c.candidates, ...(c.notes ?? [])].some((n) => n.file === site.file);
  return changed || (site.outcome === 'report' && reported);
}

export function score(app: RealworldApp, facts: RunFacts): Row[] {
  const { first } = facts;
  const fixSites = new Set(app.expected.filter((s) => s.outcome === 'fix').map((s) => siteKey(s.codemod, s.file)));
  const ids = new Set([...first.codemods.filter((c) => c.status !== 'skipped').map((c) => c.id), ...app.expected.map((s) => s.codemod)]);
  const rows: Row[] = [];
  for (const id of [...ids].sort()) {
    const c = first.codemods.find((x) => x.id === id);
    const changed = new Set(c?.changedFiles ?? []);
    const expected = app.expected.filter((s) => s.codemod === id);
    const secondChanges = facts.second?.codemods.find((x) => x.id === id)?.changedFiles ?? [];
    rows.push({
      app: app.name,
      codemod: id,
      filesChanged: changed.size,
      sitesChanged: c?.changes.length ?? 0,
      needsHuman: c?.candidates.length ?? 0,
      // A new error is charged to every codemod that changed its file.
      newTypeErrors: facts.newErrors.filter((e) => changed.has(e.slice(0, e.indexOf(': ')))).length,
      trapsTouched: facts.trapsTouched.filter((f) => changed.has(f)),
      idempotent: secondChanges.length === 0,
      expected: expected.length,
      expectedHit: expected.filter((s) => hit(s, c)).length,
      judgedCorrect: (c?.changes ?? []).filter((n) => fixSites.has(siteKey(id, n.file))).length,
    });
  }
  const sum = (k: 'filesChanged' | 'sitesChanged' | 'needsHuman' | 'expected' | 'expectedHit' | 'judgedCorrect'): number =>
    rows.reduce((a, r) => a + r[k], 0);
  rows.push({
    app: app.name,
    codemod: '(all)',
    filesChanged: new Set(first.files.map((f) => f.path)).size,
    sitesChanged: sum('sitesChanged'),
    needsHuman: sum('needsHuman'),
    newTypeErrors: facts.newErrors.length,
    trapsTouched: facts.trapsTouched,
    idempotent: facts.secondChanged.length === 0,
    expected: sum('expected'),
    expectedHit: sum('expectedHit'),
    judgedCorrect: sum('judgedCorrect'),
  });
  return rows;
}

const ratio = (a: number, b: number): string => (b === 0 ? '—' : `${a}/${b} ${Math.round((100 * a) / b)}%`);

export function formatTable(rows: Row[]): string {
  const head = ['app', 'codemod', 'files', 'sites', 'human', 'new TS err', 'traps', 'idempotent', 'recall', 'precision'];
  const body = rows.map((r) => [
    r.app,
    r.codemod,
    String(r.filesChanged),
    String(r.sitesChanged),
    String(r.needsHuman),
    String(r.newTypeErrors),
    r.trapsTouched.length ? r.trapsTouched.join(' ') : '0',
    r.idempotent ? 'yes' : 'NO',
    ratio(r.expectedHit, r.expected),
    ratio(r.judgedCorrect, r.sitesChanged),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}
