/**
 * Reading Drizzle's shapes: `X.update(T).set({…}).where(…)`, the select that read the row before it, and what the
 * app's own table declaration says about a column (its type, notNull, primary key) and its dialect.
 */
import { Node, SyntaxKind, type CallExpression } from 'ts-morph';
import { importedDeclaration, resolveAppModule } from '../ast.ts';

export const unwrap = (n: Node | undefined): Node | undefined => {
  let x = n;
  while (x && (Node.isAwaitExpression(x) || Node.isParenthesizedExpression(x))) x = x.getExpression();
  return x;
};

export interface DrizzleUpdate {
  table: Node;
  set: Node;
  where?: CallExpression;
  /** The whole chain as awaited: the `.where(…)` call, or `.set(…)` when there is none. */
  chain: CallExpression;
}

/** `X.update(T).set({…})` → the pieces, else undefined (Prisma's `update({ … })` takes an object, not a table). */
export function drizzleUpdate(setCall: CallExpression): DrizzleUpdate | undefined {
  const callee = setCall.getExpression();
  if (!Node.isPropertyAccessExpression(callee) || callee.getName() !== 'set') return undefined;
  const update = callee.getExpression();
  if (!Node.isCallExpression(update)) return undefined;
  const u = update.getExpression();
  const table = update.getArguments()[0];
  if (!Node.isPropertyAccessExpression(u) || u.getName() !== 'update' || update.getArguments().length !== 1 || !table || !(Node.isIdentifier(table) || Node.isPropertyAccessExpression(table))) return undefined;
  const set = setCall.getArguments()[0];
  if (!set) return undefined;
  const access = setCall.getParentIfKind(SyntaxKind.PropertyAccessExpression);
  const where = access?.getName() === 'where' ? access.getParentIfKind(SyntaxKind.CallExpression) : undefined;
  return { table, set, where, chain: where ?? setCall };
}

export interface DrizzleRead {
  name: string;
  /** The read's where argument, as text. */
  where?: string;
  decl: Node;
  /** The read's whole call text (`.for('update')` shows a row lock). */
  text: string;
}

/** The latest earlier `const [row] = await …select(…).from(T)…` (or `const row = await …query.T.findFirst(…)`) in fn. */
export function findRead(fn: Node, before: Node, table: string): DrizzleRead | undefined {
  const decls = fn.getDescendantsOfKind(SyntaxKind.VariableDeclaration).filter((d) => d.getEnd() <= before.getStart()).reverse();
  for (const d of decls) {
    const init = unwrap(d.getInitializer());
    if (!init || !Node.isCallExpression(init)) continue;
    const text = init.getText();
    const name = d.getNameNode();
    const fromTable = new RegExp(`\\.from\\(\\s*${table.replace(/\./g, '\\.')}\\s*\\)`).test(text);
    const queryApi = new RegExp(`\\.query\\.${table.split('.').pop()}\\.findFirst\\(`).test(text);
    let bound: string | undefined;
    if (fromTable && Node.isArrayBindingPattern(name) && name.getElements().length === 1) {
      const el = name.getElements()[0]!;
      if (Node.isBindingElement(el) && Node.isIdentifier(el.getNameNode()) && !el.getDotDotDotToken()) bound = el.getName();
    } else if (queryApi && Node.isIdentifier(name)) bound = name.getText();
    if (!bound) continue;
    const whereCall = [init, ...init.getDescendantsOfKind(SyntaxKind.CallExpression)].find((c) => Node.isPropertyAccessExpression(c.getExpression()) && c.getExpression().getText().endsWith('.where'));
    return { name: bound, where: whereCall?.getArguments()[0]?.getText(), decl: d, text };
  }
  return undefined;
}

export interface TableDecl {
  /** `pgTable`, `sqliteTable`, `mysqlTable` … as called. */
  maker: string;
  /** Column property → its declaration text (`integer('n').notNull()`). */
  columns: Map<string, string>;
}

/** `schema.users` where `import * as schema from './schema'`: that module's `users`. */
function namespaceMember(access: import('ts-morph').PropertyAccessExpression, name: string): Node | undefined {
  const ns = access.getExpression().getText();
  const sf = access.getSourceFile();
  const imp = sf.getImportDeclarations().find((d) => d.getNamespaceImport()?.getText() === ns);
  return imp && resolveAppModule(sf, imp.getModuleSpecifierValue())?.getVariableDeclaration(name);
}

/** The app's own table declaration (`export const t = pgTable('t', { … })`), when the table resolves to one. */
export function tableDecl(table: Node): TableDecl | undefined {
  const id = Node.isPropertyAccessExpression(table) ? table.getNameNode() : table;
  // By name (this module's declaration, else the app module it is imported from), not through the type checker,
  // which would be built over the whole program for one lookup.
  const sf = id.getSourceFile();
  const name = id.getText();
  const decl = Node.isPropertyAccessExpression(table) ? namespaceMember(table, name) : (sf.getVariableDeclaration(name) ?? importedDeclaration(sf, name)?.node);
  const init = decl && Node.isVariableDeclaration(decl) ? decl.getInitializer() : undefined;
  if (!init || !Node.isCallExpression(init) || !/Table$/.test(init.getExpression().getText())) return undefined;
  const arg = init.getArguments()[1];
  const columns = new Map<string, string>();
  if (arg && Node.isObjectLiteralExpression(arg)) {
    for (const p of arg.getProperties()) if (Node.isPropertyAssignment(p)) columns.set(p.getName(), p.getInitializerOrThrow().getText());
  }
  return { maker: init.getExpression().getText(), columns };
}

const NUMBER_COLUMN = /^\s*(?:integer|int|smallint|bigint|serial|real|doublePrecision|double|float|numeric|decimal|tinyint|mediumint)\s*\(/;
const EQUATABLE_COLUMN = /^\s*(?:text|varchar|char|boolean|uuid)\s*\(/;

/**
 * What SQL does with this column is what JavaScript did with the value read: never NULL (NULL + x stays NULL, and
 * `null < 5` is true in JavaScript but unknown in SQL), and a number (or, for `===` / `!==`, text or a boolean).
 */
export function columnKind(decl: TableDecl, column: string): 'number' | 'equatable' | undefined {
  const text = decl.columns.get(column);
  if (!text || !/\.notNull\(\)/.test(text)) return undefined;
  if (NUMBER_COLUMN.test(text)) return 'number';
  return EQUATABLE_COLUMN.test(text) ? 'equatable' : undefined;
}

/** The single column declared `.primaryKey()`, to name in `.returning({ … })`. */
export function primaryKey(decl: TableDecl): string | undefined {
  const keys = [...decl.columns].filter(([, text]) => /\.primaryKey\(\)/.test(text)).map(([name]) => name);
  return keys.length === 1 ? keys[0] : undefined;
}
