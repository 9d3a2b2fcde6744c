/**
 * Drizzle's lost update: `const [row] = await db.select().from(t).where(…)` then
 * `db.update(t).set({ n: row.n + x }).where(…)` → `set({ n: sql\`${t.n} + ${x}\` })`: the database does the
 * arithmetic. Only on a `notNull()` number column declared in the app's own table (NULL + x stays NULL in SQL and
 * `+` joins text), when nothing else looked at `row.n`. A guarded one (a check on `row.n` before the write) needs a
 * conditional where and a checked `.returning()`: reported, not rewritten.
 */
import { Node, SyntaxKind, type CallExpression, type Expression } from 'ts-morph';
import { enclosingFunction, referencedNames, type Edit } from '../ast.ts';
import { human, type Outcome } from './plan.ts';

const NUMBER_COLUMN = /^\s*(?:integer|int|smallint|bigint|serial|real|doublePrecision|double|float|numeric|decimal|tinyint|mediumint)\s*\(/;

const unwrap = (n: Node | undefined): Node | undefined => {
  let x = n;
  while (x && (Node.isAwaitExpression(x) || Node.isParenthesizedExpression(x))) x = x.getExpression();
  return x;
};

/** `X.update(T).set({…})` → the pieces, else undefined (Prisma's `update({ … })` takes an object, not a table). */
function drizzleUpdate(setCall: CallExpression): { table: Node; set: Node; where?: CallExpression } | undefined {
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
  return { table, set, where };
}

/** The latest earlier `const [row] = await …select(…).from(T)…` (or `const row = await …query.T.findFirst(…)`) in fn. */
function findRead(fn: Node, before: Node, table: string): { name: string; where?: string; decl: Node } | undefined {
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
    const whereCall = init.getDescendantsOfKind(SyntaxKind.CallExpression).find((c) => Node.isPropertyAccessExpression(c.getExpression()) && c.getExpression().getText().endsWith('.where'));
    return { name: bound, where: whereCall?.getArguments()[0]?.getText(), decl: d };
  }
  return undefined;
}

/** The column's declaration in the app's own table (`n: integer('n').notNull()`), when the table resolves to one. */
function columnDecl(table: Node, column: string): string | undefined {
  const id = Node.isPropertyAccessExpression(table) ? table.getNameNode() : table;
  const symbol = id.getSymbol();
  const decl = (symbol?.getAliasedSymbol() ?? symbol)?.getDeclarations()[0];
  const init = decl && Node.isVariableDeclaration(decl) ? decl.getInitializer() : undefined;
  if (!init || !Node.isCallExpression(init) || !/Table$/.test(init.getExpression().getText())) return undefined;
  const columns = init.getArguments()[1];
  const prop = columns && Node.isObjectLiteralExpression(columns) ? columns.getProperty(column) : undefined;
  return prop && Node.isPropertyAssignment(prop) ? prop.getInitializerOrThrow().getText() : undefined;
}

export function planDrizzle(setCall: CallExpression): (Outcome & { sqlImport?: boolean }) | undefined {
  const u = drizzleUpdate(setCall);
  const fn = enclosingFunction(setCall);
  if (!u || !fn || !Node.isObjectLiteralExpression(u.set)) return undefined;
  const table = u.table.getText();
  const read = findRead(fn, setCall, table);
  if (!read || !referencedNames(u.set).includes(read.name)) return undefined;
  const label = `update(${table}).set`;
  const R = read.name;
  const byHand = `move the check into the where (\`and(eq(…), gte(${table}.…, …))\`) and check \`.returning()\`'s length by hand`;
  const whereText = u.where?.getArguments()[0]?.getText();
  if (!whereText || !(referencedNames(u.where!).includes(R) || whereText === read.where)) {
    return human(`${label} writes data computed from ${R} (read earlier), but its where does not clearly name the row that was read: ${byHand}`);
  }
  const edits: Edit[] = [];
  const inSet = (n: Node) => n.getStart() >= u.set.getStart() && n.getEnd() <= u.set.getEnd();
  for (const p of u.set.getProperties()) {
    if (!Node.isPropertyAssignment(p) || !referencedNames(p).includes(R)) continue;
    const init = p.getInitializerOrThrow();
    const self = `${R}.${p.getName()}`;
    const op = Node.isBinaryExpression(init) ? init.getOperatorToken().getText() : '';
    const [l, r] = Node.isBinaryExpression(init) ? [init.getLeft(), init.getRight()] : [undefined, undefined];
    const other: Expression | undefined = l?.getText() === self && (op === '+' || op === '-') ? (r as Expression) : r?.getText() === self && op === '+' ? (l as Expression) : undefined;
    if (!other || referencedNames(other).includes(R)) return human(`${label} sets ${p.getName()} from ${R} in a way other than \`${self} ± n\`: it needs a version check (a where on the value read, \`.returning()\` checked) by hand`);
    const column = columnDecl(u.table, p.getName());
    if (!column) return human(`${label} adds to ${self}, but the column's declaration in ${table} cannot be read here, so it cannot be shown to be a number that is never NULL: write \`sql\\\`\${${table}.${p.getName()}} ${op} \${…}\\\`\` by hand`);
    if (!NUMBER_COLUMN.test(column) || !/\.notNull\(\)/.test(column)) return human(`${label} adds to ${self}, but ${table}.${p.getName()} is not a notNull() number column (NULL stays NULL in SQL, text would not add): decide by hand`);
    edits.push({ start: init.getStart(), end: init.getEnd(), text: `sql\`\${${table}.${p.getName()}} ${op} \${${other.getText()}}\`` });
  }
  // Any other look at the row between the read and the write (a guard) makes this a check-then-act.
  const uses = fn.getDescendantsOfKind(SyntaxKind.Identifier).filter((id) => id.getText() === R && id.getStart() > read.decl.getEnd() && id.getEnd() <= setCall.getEnd() && !inSet(id));
  const guarded = uses.filter((id) => {
    const parent = id.getParent();
    if (Node.isPrefixUnaryExpression(parent) || (Node.isIfStatement(parent) && parent.getExpression() === id)) return false; // if (!row)
    return !(Node.isPropertyAccessExpression(parent) && parent.getNameNode() === id) && !(u.where && id.getStart() >= u.where.getStart());
  });
  if (guarded.length) return human(`${label} writes data computed from ${R}, and ${R} is also looked at on line ${guarded[0]!.getStartLineNumber()} before the write: if that is a check, a bare \`sql\` increment would drop it; ${byHand}`);
  return { kind: 'edit', edits, imports: [], sqlImport: true, message: `${label} wrote ${edits.length === 1 ? 'a value' : 'values'} computed from ${R} (read earlier): two concurrent requests both read the same number and one change was lost. Now the database does the arithmetic (sql\`\${column} ± n\`)` };
}
