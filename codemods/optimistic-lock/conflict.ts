/** The text of a version-checked write and of what happens on a conflict, laid out like the file around it. */
import { eolOf, indentOf, indentUnit, usesSemicolons, type Edit } from '../ast.ts';
import type { WriteSite } from './write-site.ts';

export interface Layout {
  eol: string;
  /** Indent of the statement being replaced or preceded. */
  pad: string;
  /** One indent step. */
  unit: string;
  semi: string;
}

/** The file's own line ending, indent step and semicolon habit, at the write's statement. */
export function layoutAt(site: WriteSite): Layout {
  const sf = site.statement.getSourceFile();
  return { eol: eolOf(sf), pad: indentOf(site.statement), unit: indentUnit(sf), semi: usesSemicolons(sf) ? ';' : '' };
}

/** The write's statement replaced by `lines` (relative to its indent). */
export function replaceStatement(site: WriteSite, lines: string[], l: Layout): Edit {
  return { start: site.statement.getStart(), end: site.statement.getEnd(), text: lines.map((x, i) => (i === 0 ? x : l.pad + x)).join(l.eol) };
}

/**
 * `await versionedUpdate(…)` wrapped for its context: a route handler turns ConflictError into its 409 answer;
 * any other function lets ConflictError (a typed error its callers can catch) propagate.
 * Lines are relative to the statement's indent.
 */
export function versionedWrite(site: WriteSite, callLines: string[], l: Layout): string[] {
  if (site.context.kind === 'library') return callLines;
  const u = l.unit;
  return [
    'try {',
    ...callLines.map((x) => u + x),
    '} catch (err) {',
    `${u}if (err instanceof ConflictError) return conflictResponse(err)${l.semi}`,
    `${u}throw err${l.semi}`,
    '}',
  ];
}

export function importsFor(site: WriteSite): string[] {
  return site.context.kind === 'library' ? ['versionedUpdate'] : ['versionedUpdate', 'ConflictError', 'conflictResponse'];
}

/** Re-indents continuation lines of a copied expression by `extra`. */
export function indentMore(text: string, extra: string): string {
  return text.replace(/\n/g, `\n${extra}`);
}
