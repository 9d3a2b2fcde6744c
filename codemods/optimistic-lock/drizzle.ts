/**
 * Drizzle's lost update: `const [row] = await db.select().from(t).where(…)` then
 * `db.update(t).set({ n: row.n + x }).where(…)` (or through a local, `const next = row.n + x`) →
 * `set({ n: sql\`${t.n} + ${x}\` })`: the database does the arithmetic. Only on `notNull()` columns declared in the
 * app's own table (NULL + x stays NULL in SQL and `+` joins text).
 * A guarded one (`if (row.n < x) return 402;` before the write) is a check-then-act: a bare increment would drop the
 * check, so the check moves into the where (`and(eq(…), gte(t.n, x))`), `.returning()` says whether a row still
 * matched, and when none did the request ends as the check would have (see drizzle-conditional.ts).
 */
import { Node, SyntaxKind, type CallExpression, type IfStatement } from 'ts-morph';
import { enclosingFunction, referencedNames, type Edit } from '../ast.ts';
import { derivedNames } from '../lib/derived-names.ts';
import { comparedColumns } from './drizzle-compare.ts';
import { conditionalWrite } from './drizzle-conditional.ts';
import { isNullCheck, toSql, translateGuard, type Guard, type RowScope } from './drizzle-guard.ts';
import { drizzleUpdate, findRead, tableDecl, type DrizzleRead } from './drizzle-query.ts';
import { human, type Outcome } from './plan.ts';

export function planDrizzle(setCall: CallExpression, relPath: string, reserved: Set<string>): Outcome | undefined {
  const u = drizzleUpdate(setCall);
  const fn = enclosingFunction(setCall);
  if (!u || !fn || !Node.isObjectLiteralExpression(u.set)) return undefined;
  const table = u.table.getText();
  const read = findRead(fn, setCall, table);
  if (!read) return undefined;
  const R = read.name;
  const between = (n: Node) => n.getStart() > read.decl.getEnd() && n.getEnd() <= setCall.getStart();
  const locals = rowLocals(fn, read, between, setCall);
  if (!referencedNames(u.set).some((n) => n === R || locals.has(n))) return undefined;
  const label = `update(${table}).set`;
  const byHand = `move the check into the where (\`and(eq(…), gte(${table}.…, …))\`) and check \`.returning()\`'s length by hand`;
  const locked = lockedNote(read, setCall, label);
  if (locked) return { kind: 'leave', note: locked };
  const whereText = u.where?.getArguments()[0]?.getText();
  if (!whereText || !(referencedNames(u.where!.getArguments()[0]!).includes(R) || whereText === read.where)) {
    return human(`${label} writes data computed from ${R} (read earlier), but its where does not clearly name the row that was read: ${byHand}`);
  }
  const decl = tableDecl(u.table);
  if (!decl) return human(`${label} writes data computed from ${R}, but ${table}'s declaration cannot be read here, so its columns cannot be shown to be numbers that are never NULL: write \`sql\\\`\${${table}.column} ± \${…}\\\`\` by hand`);
  const scope: RowScope = { row: R, table, decl, locals };

  const edits: Edit[] = [];
  let usesSql = false;
  for (const p of u.set.getProperties()) {
    if (!Node.isPropertyAssignment(p) || !referencedNames(p).some((n) => n === R || locals.has(n))) continue;
    const expr = toSql(p.getInitializerOrThrow(), scope);
    if (typeof expr === 'string' || !expr.usesSql || expr.columns[0] !== p.getName()) {
      const tx = sharedTransaction(read, setCall) ? `; the transaction around them neither locks the row (.for('update')) nor is serializable, so a concurrent write still lands between the read and this one` : '';
      const notSql = `${label} sets ${p.getName()} from ${R} in a way other than \`${R}.${p.getName()} ± n\`${typeof expr === 'string' ? ` (${expr})` : ''}${tx}`;
      const versionByHand = 'it needs a version check (a where on the value read, `.returning()` checked) by hand';
      if (tx) return human(`${notSql}: ${versionByHand}`);
      // A previous run (or the author) already compares a column with the value read.
      if (new RegExp(`\\beq\\(\\s*${table.replace(/\./g, '\\.')}\\.\\w+\\s*,\\s*${R}\\.\\w+\\s*\\)`).test(whereText)) return { kind: 'leave' };
      // Not arithmetic: a compare-and-set on every column the decision looked at.
      const compared = comparedColumns(fn, read, setCall, u, decl, table);
      if (typeof compared === 'string') return human(`${notSql}, and ${compared}: ${versionByHand}`);
      return conditionalWrite({ label, scope, update: u, guards: [], setEdits: [], relPath, reserved, byHand: versionByHand, compare: compared });
    }
    edits.push({ start: p.getInitializerOrThrow().getStart(), end: p.getInitializerOrThrow().getEnd(), text: expr.text });
    usesSql = true;
  }

  // Every other look at the row (or a value computed from it) before the write must be a check that ends the
  // request: those become the write's condition. Anything else (a branch that goes on, a value sent elsewhere) is
  // a decision SQL cannot re-make.
  const inSet = (n: Node) => n.getStart() >= u.set.getStart() && n.getEnd() <= u.set.getEnd();
  const inWhere = (n: Node) => Boolean(u.where && n.getStart() >= u.where.getStart() && n.getEnd() <= u.where.getEnd());
  const guards = new Map<IfStatement, Guard>();
  const written = new Set(referencedNames(u.set).filter((n) => locals.has(n)));
  for (const id of fn.getDescendantsOfKind(SyntaxKind.Identifier)) {
    const name = id.getText();
    if ((name !== R && !locals.has(name)) || !isReference(id) || inSet(id) || inWhere(id)) continue;
    if (id.getStart() <= read.decl.getEnd()) continue;
    if (written.has(name) && id.getStart() > setCall.getEnd()) {
      return human(`${label} writes ${name}, computed from ${R}, and ${name} is also used on line ${id.getStartLineNumber()} after the write, where it would no longer be the value the database wrote: take it from \`.returning()\` by hand`);
    }
    if (!between(id) || isLocalInitializer(id, locals)) continue;
    if (inCheckBranch(id, R, locals)) continue; // shapes the check's answer, not whether the write runs
    const stmt = id.getFirstAncestorByKind(SyntaxKind.IfStatement);
    if (name === R && isNullCheck(id.getParentOrThrow(), R) && stmt && isNullCheck(stmt.getExpression(), R)) continue; // if (!row) return 404
    if (!stmt || !(stmt.getExpression().getStart() <= id.getStart() && id.getEnd() <= stmt.getExpression().getEnd())) {
      return human(`${label} writes data computed from ${R}, and ${name} is also looked at on line ${id.getStartLineNumber()} before the write: if that decides anything, a bare \`sql\` increment would drop it; ${byHand}`);
    }
    if (guards.has(stmt)) continue;
    const g = translateGuard(stmt, scope);
    if (typeof g === 'string') return human(`${label} writes data computed from ${R} after checking it, but ${g}: ${byHand}`);
    if (g.conditions.length) guards.set(stmt, g);
  }
  edits.push(...unusedLocalRemovals(fn, locals, u.set));
  const message = `${label} wrote ${edits.length === 1 ? 'a value' : 'values'} computed from ${R} (read earlier): two concurrent requests both read the same number and one change was lost. Now the database does the arithmetic (sql\`\${column} ± n\`)`;
  if (guards.size === 0) return { kind: 'edit', edits, imports: [], drizzleImports: usesSql ? ['sql'] : [], message };
  return conditionalWrite({ label, scope, update: u, guards: [...guards.values()], setEdits: edits, relPath, reserved, byHand });
}

/** Locals declared after the read and before the write whose value comes from the row (`const next = row.n + 1`). */
function rowLocals(fn: Node, read: DrizzleRead, between: (n: Node) => boolean, setCall: Node): Map<string, Node> {
  const names = derivedNames(fn, (init) => referencedNames(init).includes(read.name));
  const out = new Map<string, Node>();
  for (const d of fn.getDescendantsOfKind(SyntaxKind.VariableDeclaration)) {
    const init = d.getInitializer();
    // Only locals still in scope at the write (not one declared inside a check's branch).
    const block = d.getVariableStatement()?.getParent();
    const inScope = Boolean(block && setCall.getAncestors().includes(block));
    if (init && inScope && between(d) && Node.isIdentifier(d.getNameNode()) && names.has(d.getName()) && d.getVariableStatement()?.getDeclarationKind() === 'const') out.set(d.getName(), init);
  }
  return out;
}

/**
 * Row-derived locals whose every use was turned into SQL in the set (checks stay in the code, as a fast path) are
 * left unused by the rewrite: their declarations go, a line each, so no dead `const next = row.n + 1` stays behind.
 */
function unusedLocalRemovals(fn: Node, locals: Map<string, Node>, set: Node): Edit[] {
  const within = (n: Node, outer: Node) => n.getStart() >= outer.getStart() && n.getEnd() <= outer.getEnd();
  const removed = new Set<string>();
  for (let grew = true; grew; ) {
    grew = false;
    for (const [name, init] of locals) {
      if (removed.has(name)) continue;
      const decl = init.getParentIfKindOrThrow(SyntaxKind.VariableDeclaration);
      const uses = fn.getDescendantsOfKind(SyntaxKind.Identifier).filter((id) => id.getText() === name && isReference(id) && !within(id, decl));
      const consumed = (id: Node) => within(id, set) || [...removed].some((r) => within(id, locals.get(r)!));
      if (uses.length && uses.every(consumed) && decl.getVariableStatement()?.getDeclarations().length === 1) {
        removed.add(name);
        grew = true;
      }
    }
  }
  return [...removed].map((name) => {
    const stmt = locals.get(name)!.getFirstAncestorByKindOrThrow(SyntaxKind.VariableStatement);
    const text = stmt.getSourceFile().getFullText();
    const lineEnd = text.indexOf('\n', stmt.getEnd());
    return { start: stmt.getStartLinePos(), end: lineEnd < 0 ? stmt.getEnd() : lineEnd + 1, text: '' };
  });
}

/** Inside the branch of an `if` whose condition looks at the row: that condition is judged as a check on its own. */
function inCheckBranch(id: Node, row: string, locals: Map<string, Node>): boolean {
  return id.getAncestors().some((a) => {
    const parent = a.getParent();
    return Boolean(parent && Node.isIfStatement(parent) && parent.getThenStatement() === a && referencedNames(parent.getExpression()).some((n) => n === row || locals.has(n)));
  });
}

/** An identifier that names a variable (not `x.name`, not `{ name: … }`'s key). */
function isReference(id: Node): boolean {
  const parent = id.getParent();
  return !(parent && (Node.isPropertyAccessExpression(parent) || Node.isPropertyAssignment(parent) || Node.isVariableDeclaration(parent) || Node.isBindingElement(parent)) && parent.getNameNode() === id);
}

/** Inside the initializer of a row-derived local: judged where the local itself is used. */
function isLocalInitializer(id: Node, locals: Map<string, Node>): boolean {
  return [...locals.values()].some((init) => id.getStart() >= init.getStart() && id.getEnd() <= init.getEnd());
}

/** The `db.transaction(async (tx) => …)` call whose callback holds both the read and the write. */
function sharedTransaction(read: DrizzleRead, setCall: CallExpression): CallExpression | undefined {
  const fn = enclosingFunction(setCall);
  const call = fn?.getParentIfKind(SyntaxKind.CallExpression);
  const callee = call?.getExpression();
  if (!fn || !call || !Node.isPropertyAccessExpression(callee) || callee.getName() !== 'transaction' || call.getArguments()[0] !== fn) return undefined;
  return enclosingFunction(read.decl) === fn ? call : undefined;
}

/**
 * A read that already keeps concurrent writers out: `.for('update')` inside the same transaction (the row is locked
 * until commit), or a serializable transaction around both (the database aborts one of two conflicting runs).
 */
function lockedNote(read: DrizzleRead, setCall: CallExpression, label: string): string | undefined {
  const call = sharedTransaction(read, setCall);
  if (!call) return undefined;
  if (/\.for\(\s*['"](?:update|no key update)['"]/.test(read.text)) {
    return `${label} is checked and written from ${read.name}, read with .for('update') in the same transaction: the row stays locked until commit, so no concurrent write slips in; left as written`;
  }
  if (/\bisolationLevel\s*:\s*['"]serializable['"]/.test(call.getArguments()[1]?.getText() ?? '')) {
    return `${label} is checked and written from ${read.name}, read in the same serializable transaction: the database aborts one of two concurrent runs, so the check holds; left as written`;
  }
  return undefined;
}
