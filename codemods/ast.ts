/**
 * Small helpers shared by the codemods. Edits are plain text splices on the file's current text, so every byte a
 * codemod does not mean to change stays as the author wrote it (ts-morph's printer would reformat).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Node, Project, SyntaxKind, ts, type SourceFile, type VariableDeclaration } from 'ts-morph';
import { descendantsOfKind } from './lib/descendants.ts';
import type { ChangeNote, CodemodContext } from './types.ts';

export interface Edit {
  start: number;
  end: number;
  text: string;
}

/** Applies non-overlapping edits; returns false (and changes nothing) when two edits overlap. */
export function applyEdits(sf: SourceFile, edits: Edit[]): boolean {
  if (edits.length === 0) return true;
  const sorted = [...edits].sort((a, b) => b.start - a.start || b.end - a.end);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.end > sorted[i - 1]!.start) return false;
  }
  let text = sf.getFullText();
  for (const e of sorted) text = text.slice(0, e.start) + e.text + text.slice(e.end);
  if (text !== sf.getFullText()) sf.replaceWithText(text);
  return true;
}

export function eolOf(sf: SourceFile): string {
  return sf.getFullText().includes('\r\n') ? '\r\n' : '\n';
}

/** Leading whitespace of the line `node` starts on. */
export function indentOf(node: Node): string {
  const text = node.getSourceFile().getFullText();
  const start = node.getStart();
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart, start))![0];
}

/** One indent step as the file uses it (two spaces, four, or a tab). */
export function indentUnit(sf: SourceFile): string {
  const m = /\n([ \t]+)\S/.exec(sf.getFullText());
  if (!m) return '  ';
  return m[1]!.startsWith('\t') ? '\t' : m[1]!.length >= 4 && m[1]!.length % 4 === 0 && !/\n  \S/.test(sf.getFullText()) ? '    ' : '  ';
}

export function relPath(ctx: Pick<CodemodContext, 'root'>, sf: SourceFile): string {
  return path.relative(ctx.root, sf.getFilePath()).split(path.sep).join('/');
}

export function noteAt(ctx: Pick<CodemodContext, 'root'>, node: Node, message: string, memoWasWrong?: string): ChangeNote {
  const note: ChangeNote = { file: relPath(ctx, node.getSourceFile()), line: node.getStartLineNumber(), message };
  if (memoWasWrong) note.memoWasWrong = memoWasWrong;
  return note;
}

function quoteOf(sf: SourceFile): string {
  const first = sf.getImportDeclarations()[0];
  return first && first.getModuleSpecifier().getText().startsWith('"') ? '"' : "'";
}

/** Adds `import { names } from spec` (or the missing names to an existing import of spec). Text-level. */
export function ensureNamedImport(sf: SourceFile, spec: string, names: string[], batch?: Edit[]): void {
  // With `batch`, a new import declaration is queued with the codemod's other edits (one re-parse, not two).
  const apply = (edits: Edit[]) => (batch ? batch.push(...edits) : applyEdits(sf, edits));
  const existing = sf.getImportDeclarations().find((d) => d.getModuleSpecifierValue() === spec && !d.isTypeOnly());
  if (existing) {
    const have = new Set(existing.getNamedImports().map((n) => (n.getAliasNode() ?? n.getNameNode()).getText()));
    const missing = names.filter((n) => !have.has(n));
    if (missing.length === 0) return;
    const named = existing.getNamedImports();
    const last = named[named.length - 1];
    if (last) apply([{ start: last.getEnd(), end: last.getEnd(), text: `, ${missing.join(', ')}` }]);
    else existing.addNamedImports(missing);
    return;
  }
  const q = quoteOf(sf);
  const semi = sf.getImportDeclarations()[0]?.getText().trimEnd().endsWith(';') === false ? '' : ';';
  const line = `import { ${names.join(', ')} } from ${q}${spec}${q}${semi}`;
  const eol = eolOf(sf);
  const imports = sf.getImportDeclarations();
  const lastImport = imports[imports.length - 1];
  if (lastImport) {
    apply([{ start: lastImport.getEnd(), end: lastImport.getEnd(), text: `${eol}${line}` }]);
  } else {
    // After a leading 'use server' / 'use client' directive, else at the top.
    const first = sf.getStatements()[0];
    const directive = first && Node.isExpressionStatement(first) && Node.isStringLiteral(first.getExpression()) ? first : undefined;
    if (directive) apply([{ start: directive.getEnd(), end: directive.getEnd(), text: `${eol}${eol}${line}` }]);
    else apply([{ start: 0, end: 0, text: `${line}${eol}${eol}` }]);
  }
}

/** Removes a named import when nothing else in the file mentions it any more. */
export function dropUnusedNamedImport(sf: SourceFile, name: string): void {
  for (const decl of sf.getImportDeclarations()) {
    for (const named of decl.getNamedImports()) {
      const local = (named.getAliasNode() ?? named.getNameNode()).getText();
      if (local !== name) continue;
      const uses = sf.getDescendantsOfKind(SyntaxKind.Identifier).filter((id) => id.getText() === name && !id.getFirstAncestorByKind(SyntaxKind.ImportDeclaration));
      if (uses.length > 0) return;
      if (decl.getNamedImports().length === 1 && !decl.getDefaultImport() && !decl.getNamespaceImport()) decl.remove();
      else named.remove();
      return;
    }
  }
}

// One pass per file text: looked up for every identifier a codemod follows, a walk each time was quadratic.
// Keyed by the compiler node, which ts-morph replaces when the file is edited, so an edit invalidates it.
const declarationCache = new WeakMap<object, Map<string, VariableDeclaration[]>>();

function declarationsByName(sf: SourceFile): Map<string, VariableDeclaration[]> {
  let byName = declarationCache.get(sf.compilerNode);
  if (!byName) {
    byName = new Map();
    for (const d of descendantsOfKind(sf, SyntaxKind.VariableDeclaration)) {
      const list = byName.get(d.getName()) ?? [];
      list.push(d);
      byName.set(d.getName(), list);
    }
    declarationCache.set(sf.compilerNode, byName);
  }
  return byName;
}

/** The nearest `const|let name = …` initializer for an identifier used at `at`, searched in enclosing scopes. */
export function initializerOf(at: Node, name: string): Node | undefined {
  const decls = declarationsByName(at.getSourceFile()).get(name) ?? [];
  // Prefer one whose scope contains `at` and that comes before it.
  const before = decls.filter((d) => d.getStart() <= at.getStart());
  const d = before[before.length - 1] ?? decls[0];
  return d?.getInitializer();
}

/** Identifiers (not property names) referenced inside node. */
export function referencedNames(node: Node): string[] {
  const names = new Set<string>();
  const visit = (n: Node) => {
    if (Node.isIdentifier(n)) {
      const parent = n.getParent();
      if (parent && Node.isPropertyAccessExpression(parent) && parent.getNameNode() === n) return;
      if (parent && Node.isPropertyAssignment(parent) && parent.getNameNode() === n) return;
      names.add(n.getText());
      return;
    }
    n.forEachChild(visit);
  };
  visit(node);
  return [...names];
}

/** The function-like node (function, arrow, method) that encloses node. */
export function enclosingFunction(node: Node): Node | undefined {
  // Up the compiler's parents, wrapping only the one found (getFirstAncestor wraps every ancestor on the way).
  for (let up = node.compilerNode.parent; up; up = up.parent) {
    if (FUNCTION_KINDS.has(up.kind)) return (node as unknown as { _getNodeFromCompilerNode(n: ts.Node): Node })._getNodeFromCompilerNode(up);
  }
  return undefined;
}
const FUNCTION_KINDS = new Set([SyntaxKind.FunctionDeclaration, SyntaxKind.ArrowFunction, SyntaxKind.FunctionExpression, SyntaxKind.MethodDeclaration]);

export function emptyResult() {
  return { changes: [], candidates: [], failures: [], notes: [] } as {
    changes: ChangeNote[];
    candidates: ChangeNote[];
    failures: ChangeNote[];
    notes: ChangeNote[];
  };
}

// Files of the app read only to judge what an import is (never edited): parsed once per text.
let scratch: Project | undefined;
const scratchFiles = new Map<string, SourceFile>();

/** The app file an import specifier of `sf` resolves to (tsconfig `paths` honoured); undefined for packages. */
export function resolveAppModule(sf: SourceFile, spec: string): SourceFile | undefined {
  if (!spec.startsWith('.') && !/^[@~#]\//.test(spec) && !sf.getProject().getCompilerOptions().paths) return undefined;
  const resolved = ts.resolveModuleName(spec, sf.getFilePath(), sf.getProject().getCompilerOptions(), ts.sys).resolvedModule;
  if (!resolved || resolved.isExternalLibraryImport || /[\\/]node_modules[\\/]/.test(resolved.resolvedFileName) || resolved.resolvedFileName.endsWith('.d.ts')) return undefined;
  const file = resolved.resolvedFileName;
  const inProject = sf.getProject().getSourceFile(file);
  if (inProject) return inProject;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const known = scratchFiles.get(file);
  if (known && known.getFullText() === text) return known;
  scratch ??= new Project({ useInMemoryFileSystem: true, compilerOptions: { allowJs: true } });
  const parsed = scratch.createSourceFile(file, text, { overwrite: true });
  scratchFiles.set(file, parsed);
  return parsed;
}

/** For a name imported into `sf` from another file of the app: that file and the declaration it names. */
export function importedDeclaration(sf: SourceFile, localName: string): { file: SourceFile; node: Node } | undefined {
  for (const decl of sf.getImportDeclarations()) {
    if (decl.isTypeOnly()) continue;
    const named = decl.getNamedImports().find((n) => (n.getAliasNode() ?? n.getNameNode()).getText() === localName);
    if (!named) continue;
    const file = resolveAppModule(sf, decl.getModuleSpecifierValue());
    if (!file) return undefined;
    const original = named.getNameNode().getText();
    const node = file.getFunction(original) ?? file.getVariableDeclaration(original);
    return node ? { file, node } : undefined;
  }
  return undefined;
}

/** `a.b.c(…)` → `a`. */
export function rootIdentifier(expr: Node): Node | undefined {
  let cur: Node = expr;
  while (Node.isPropertyAccessExpression(cur) || Node.isCallExpression(cur) || Node.isNonNullExpression(cur)) cur = cur.getExpression();
  return Node.isIdentifier(cur) ? cur : undefined;
}

/** Does the file end its statements with semicolons (judged by its first statements)? */
export function usesSemicolons(sf: SourceFile): boolean {
  const stmts = sf.getDescendantsOfKind(SyntaxKind.VariableStatement).concat(sf.getDescendantsOfKind(SyntaxKind.ExpressionStatement) as never[]).slice(0, 20);
  if (stmts.length === 0) return true;
  const withSemi = stmts.filter((s) => s.getText().trimEnd().endsWith(';')).length;
  return withSemi * 2 >= stmts.length;
}
