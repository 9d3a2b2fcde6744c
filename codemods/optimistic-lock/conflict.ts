/** The text of a version-checked write and of what happens on a conflict, laid out like the file around it. */
import type { WriteSite } from './write-site.ts';

export interface Layout {
  eol: string;
  /** Indent of the statement being replaced or preceded. */
  pad: string;
  /** One indent step. */
  unit: string;
  semi: string;
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
