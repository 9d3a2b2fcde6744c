/**
 * Prisma driver adapters that own a connection pool. With an adapter the URL's connection_limit / pool_timeout
 * are not the pool settings (the driver's pool options are), so the pool options are read from the URL in code
 * through lib/genie/pool-options.ts, with the code's old literals as fallbacks.
 *
 * Option names, checked against the packages (not guessed):
 * - `@prisma/adapter-pg` 7.x: `new PrismaPg(poolOrConfig: pg.Pool | pg.PoolConfig | string)`; pg's PoolConfig has
 *   `max` and `connectionTimeoutMillis` (@types/pg, installed here).
 * - `@prisma/adapter-neon`: `new PrismaNeon(config: neon.PoolConfig)` builds a `@neondatabase/serverless` Pool, a
 *   port of pg's Pool with the same `max` / `connectionTimeoutMillis`; older versions took a Neon `Pool` instance.
 * - `@prisma/adapter-mariadb`: mariadb's pool (`connectionLimit`, `acquireTimeout`): MySQL, not sized here, reported.
 */
import { Node, SyntaxKind, type NewExpression, type ObjectLiteralExpression, type SourceFile } from 'ts-morph';
import { eolOf, indentOf, noteAt, type Edit } from '../ast.ts';
import type { ChangeNote, CodemodContext } from '../types.ts';

export const POOLED_ADAPTERS = ['PrismaPg', 'PrismaNeon'];
export const ADAPTER_NAMES = [...POOLED_ADAPTERS, 'PrismaMariaDb'];
const POOL_OPTIONS = ['max', 'connectionTimeoutMillis'];
/** Where a pg-compatible `Pool` comes from. */
const POOL_MODULES = ['pg', '@neondatabase/serverless'];

const MEMO_ADAPTER =
  "with a Prisma driver adapter (Prisma 7) the URL parameters are not the pool settings at all: the driver's Pool options are, so the memo's URL change would have had no effect";

export interface AdapterPlan {
  edits: Edit[];
  changes: ChangeNote[];
  candidates: ChangeNote[];
}

/** Whether `new X(...)` builds a pg-compatible Pool: `Pool` imported from pg / Neon, or `pg.Pool` of a namespace import. */
function isPoolConstruction(ne: NewExpression): boolean {
  const callee = ne.getExpression();
  const sf = ne.getSourceFile();
  const local = Node.isIdentifier(callee) ? callee.getText() : Node.isPropertyAccessExpression(callee) && callee.getName() === 'Pool' ? callee.getExpression().getText() : undefined;
  if (!local) return false;
  return sf.getImportDeclarations().some((imp) => {
    if (!POOL_MODULES.includes(imp.getModuleSpecifierValue())) return false;
    if (Node.isIdentifier(callee)) return imp.getNamedImports().some((n) => (n.getAliasNode()?.getText() ?? n.getName()) === local && n.getName() === 'Pool');
    return imp.getDefaultImport()?.getText() === local || imp.getNamespaceImport()?.getText() === local;
  });
}

/** The object literal that configures the pool behind an adapter's first argument, or why there is none. */
function poolLiteral(arg: Node | undefined): ObjectLiteralExpression | string {
  if (!arg) return 'no pool options given';
  if (Node.isObjectLiteralExpression(arg)) return arg;
  if (Node.isNewExpression(arg)) {
    if (!isPoolConstruction(arg)) return `given ${arg.getExpression().getText()}(…), not a pg Pool`;
    const inner = arg.getArguments()[0];
    return inner && Node.isObjectLiteralExpression(inner) ? inner : 'given a Pool without an options object literal';
  }
  if (Node.isIdentifier(arg)) {
    const decls = arg.getSymbol()?.getDeclarations() ?? [];
    const decl = decls.length === 1 ? decls[0] : undefined;
    if (decl && Node.isVariableDeclaration(decl) && decl.getSourceFile() === arg.getSourceFile()) {
      const init = decl.getInitializer();
      if (init && (Node.isObjectLiteralExpression(init) || Node.isNewExpression(init))) return poolLiteral(init);
    }
    return `given ${arg.getText()}, whose pool options are not an object literal in this file`;
  }
  if (Node.isStringLiteral(arg) || Node.isNoSubstitutionTemplateLiteral(arg) || /process\.env\./.test(arg.getText())) return 'given a connection string only (the pool gets the driver defaults)';
  return `given ${arg.getText().slice(0, 40)}`;
}

/** Reads the pool options from the URL in the literal: `...poolOptionsFromUrl(<url>, { <old max/timeout> })`. */
function rewriteLiteral(sf: SourceFile, obj: ObjectLiteralExpression, edits: Edit[]): { fallbacks: string[] } | string {
  const props = obj.getProperties();
  const connProp = props.find((p) => Node.isPropertyAssignment(p) && p.getName() === 'connectionString');
  if (!connProp || !Node.isPropertyAssignment(connProp)) return 'the pool has no connectionString, so DATABASE_URL does not configure it';
  const urlExpr = connProp.getInitializerOrThrow().getText();
  const isPoolOption = (p: Node) => Node.isPropertyAssignment(p) && POOL_OPTIONS.includes(p.getName());
  if (props.some((p) => !Node.isPropertyAssignment(p) && !Node.isShorthandPropertyAssignment(p) && !Node.isSpreadAssignment(p))) return 'the pool options hold methods or accessors';
  if (props.some((p) => Node.isShorthandPropertyAssignment(p) && POOL_OPTIONS.includes(p.getName()))) return 'max / connectionTimeoutMillis are shorthand properties';
  const fallbacks = props.filter(isPoolOption).map((p) => `${(p as import('ts-morph').PropertyAssignment).getName()}: ${(p as import('ts-morph').PropertyAssignment).getInitializerOrThrow().getText()}`);
  const spread = `...poolOptionsFromUrl(${urlExpr}${fallbacks.length ? `, { ${fallbacks.join(', ')} }` : ''})`;
  const full = sf.getFullText();
  const mine: Edit[] = [];
  if (obj.getText().includes('\n')) {
    for (const p of props.filter(isPoolOption)) {
      // The property goes with its trailing comma and, when alone on its line, the whole line.
      let end = p.getEnd();
      if (full[end] === ',') end++;
      let start = p.getStart();
      const lineStart = full.lastIndexOf('\n', start - 1) + 1;
      if (/^[ \t]*$/.test(full.slice(lineStart, start)) && /^[ \t]*\r?\n/.test(full.slice(end))) {
        start = lineStart;
        end += /^[ \t]*\r?\n/.exec(full.slice(end))![0].length;
      }
      mine.push({ start, end, text: '' });
    }
    const last = props[props.length - 1]!;
    if (isPoolOption(last)) {
      // The last property goes away: insert before the closing brace's line instead.
      const closeLineStart = full.lastIndexOf('\n', obj.getEnd() - 1) + 1;
      mine.push({ start: closeLineStart, end: closeLineStart, text: `${indentOf(last)}${spread},${eolOf(sf)}` });
    } else {
      const hasComma = full.slice(last.getEnd()).trimStart().startsWith(',');
      const insertAt = hasComma ? full.indexOf(',', last.getEnd()) + 1 : last.getEnd();
      mine.push({ start: insertAt, end: insertAt, text: `${hasComma ? '' : ','}${eolOf(sf)}${indentOf(last)}${spread},` });
    }
  } else {
    const kept = props.filter((p) => !isPoolOption(p)).map((p) => p.getText());
    mine.push({ start: obj.getStart(), end: obj.getEnd(), text: `{ ${[...kept, spread].join(', ')} }` });
  }
  edits.push(...mine);
  return { fallbacks };
}

/** The adapter edits of one file, and the adapters left to a human with the reason. */
export function planAdapters(ctx: Pick<CodemodContext, 'root'>, sf: SourceFile): AdapterPlan {
  const plan: AdapterPlan = { edits: [], changes: [], candidates: [] };
  const done = new Set<ObjectLiteralExpression>();
  for (const ne of sf.getDescendantsOfKind(SyntaxKind.NewExpression)) {
    const name = ne.getExpression().getText();
    if (!ADAPTER_NAMES.includes(name)) continue;
    if (name === 'PrismaMariaDb') {
      plan.candidates.push(
        noteAt(ctx, ne, "new PrismaMariaDb(…): a MySQL/MariaDB pool (mariadb's connectionLimit, default 10, and acquireTimeout); genie-fix sizes Postgres pools only: set connectionLimit for this deployment by hand"),
      );
      continue;
    }
    const obj = poolLiteral(ne.getArguments()[0]);
    if (typeof obj === 'string') {
      plan.candidates.push(noteAt(ctx, ne, `new ${name}(…) ${obj}: set max / connectionTimeoutMillis from the URL by hand (poolOptionsFromUrl in lib/genie/pool-options.ts)`));
      continue;
    }
    if (done.has(obj) || obj.getText().includes('poolOptionsFromUrl(')) continue;
    done.add(obj);
    const rewritten = rewriteLiteral(sf, obj, plan.edits);
    if (typeof rewritten === 'string') {
      plan.candidates.push(noteAt(ctx, ne, `new ${name}(…): ${rewritten}; set max / connectionTimeoutMillis by hand`));
      continue;
    }
    const where = obj.getParent() === ne ? '' : ` (its pool at line ${obj.getStartLineNumber()})`;
    plan.changes.push(
      noteAt(
        ctx,
        ne,
        `${name}${where} pool options now come from DATABASE_URL (connection_limit → max, pool_timeout/connect_timeout → connectionTimeoutMillis)${rewritten.fallbacks.length ? `, old values kept as fallbacks (${rewritten.fallbacks.join(', ')})` : ''}`,
        MEMO_ADAPTER,
      ),
    );
  }
  return plan;
}
