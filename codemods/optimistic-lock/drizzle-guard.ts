/**
 * Turning what JavaScript decided from a Drizzle row into what SQL decides on the current row: `row.n` becomes the
 * column `t.n`, `row.n - x` becomes `sql\`${t.n} - ${x}\``, and a guard `if (row.n < x) return …` becomes the
 * condition under which the write may go ahead, `gte(t.n, x)`. Anything that cannot be said exactly in SQL comes
 * back as a reason, never as an approximation.
 */
import { Node, SyntaxKind, type IfStatement, type Statement } from 'ts-morph';
import { referencedNames } from '../ast.ts';
import { columnKind, type TableDecl } from './drizzle-query.ts';

export interface RowScope {
  /** The row variable (`const [row] = …`). */
  row: string;
  /** The table as written in the update (`users`, `schema.users`). */
  table: string;
  decl: TableDecl;
  /** Locals declared between the read and the write whose value comes from the row: name → initializer. */
  locals: Map<string, Node>;
}

/** A column expression in SQL, the columns it reads, and whether it needs `sql`. */
export interface SqlExpr {
  text: string;
  columns: string[];
  usesSql: boolean;
}

const mentionsRow = (n: Node, s: RowScope) => referencedNames(n).some((x) => x === s.row || s.locals.has(x));

/** A short, one-line quote of the code for a message. */
const snippet = (n: Node): string => n.getText().replace(/\s+/g, ' ').slice(0, 50);

const strip = (n: Node): Node => (Node.isParenthesizedExpression(n) ? strip(n.getExpression()) : n);

const EFFECTS = new Set([SyntaxKind.CallExpression, SyntaxKind.AwaitExpression, SyntaxKind.NewExpression, SyntaxKind.PostfixUnaryExpression, SyntaxKind.TaggedTemplateExpression]);

/** A value the rewrite may evaluate once more (in the where, or in the set beside a local that stays) must be pure. */
function effectful(n: Node): boolean {
  const all = [n, ...n.getDescendants()];
  const assigns = (x: Node) => Node.isBinaryExpression(x) && /^(?:[-+*/%&|^]|\*\*|<<|>>>?|&&|\|\||\?\?)?=$/.test(x.getOperatorToken().getText());
  const steps = (x: Node) => Node.isPrefixUnaryExpression(x) && (x.getOperatorToken() === SyntaxKind.PlusPlusToken || x.getOperatorToken() === SyntaxKind.MinusMinusToken);
  return all.some((x) => EFFECTS.has(x.getKind()) || assigns(x) || steps(x));
}

/** `row.f` → `t.f`; a row-derived local → its initializer's SQL; `row.f ± x` (x not from the row) → sql arithmetic. */
export function toSql(expr: Node, s: RowScope): SqlExpr | string {
  const e = strip(expr);
  if (Node.isPropertyAccessExpression(e) && e.getExpression().getText() === s.row) {
    const column = e.getName();
    if (!columnKind(s.decl, column)) return `${s.table}.${column} is not declared a notNull() number or text column in the app's table, so SQL would not compare or add it as JavaScript did (NULL, text)`;
    return { text: `${s.table}.${column}`, columns: [column], usesSql: false };
  }
  if (Node.isIdentifier(e) && s.locals.has(e.getText())) return toSql(s.locals.get(e.getText())!, s);
  if (Node.isBinaryExpression(e) && /^[+-]$/.test(e.getOperatorToken().getText())) {
    const op = e.getOperatorToken().getText();
    const [l, r] = [e.getLeft(), e.getRight()];
    // `x + row.n` adds the same; `x - row.n` would need the operands kept in order, which sql`` does too.
    const side = mentionsRow(l, s) && !mentionsRow(r, s) ? { col: l, value: r, colFirst: true } : !mentionsRow(l, s) && mentionsRow(r, s) ? { col: r, value: l, colFirst: false } : undefined;
    const col = side && strip(side.col);
    if (!side || !col || !Node.isPropertyAccessExpression(col) || col.getExpression().getText() !== s.row) return `\`${e.getText()}\` is not \`${s.row}.field ± value\``;
    if (effectful(side.value)) return `\`${snippet(side.value)}\` calls or assigns something, which the rewrite could run a second time`;
    const column = toSql(col, s);
    if (typeof column === 'string') return column;
    if (columnKind(s.decl, column.columns[0]!) !== 'number') return `${column.text} is not a number column, so \`${op}\` in SQL would not do what it did in JavaScript`;
    const parts = side.colFirst ? [`\${${column.text}}`, `\${${side.value.getText()}}`] : [`\${${side.value.getText()}}`, `\${${column.text}}`];
    return { text: `sql\`${parts[0]} ${op} ${parts[1]}\``, columns: column.columns, usesSql: true };
  }
  return `\`${snippet(e)}\` cannot be written as SQL on the current row`;
}

// The comparison that lets the write go ahead when the guard `a OP b` returns early: its negation.
const NEGATED: Record<string, string> = { '<': 'gte', '<=': 'gt', '>': 'lte', '>=': 'lt', '===': 'ne', '==': 'ne', '!==': 'eq', '!=': 'eq' };
const MIRROR: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

export interface Guard {
  statement: IfStatement;
  /** Drizzle conditions under which the write may go ahead (`gte(t.credits, cost)`). */
  conditions: string[];
  /** Drizzle functions those conditions call (`gte`, `ne` …), and whether a side needs `sql`. */
  functions: string[];
  usesSql: boolean;
}

/** `if (!row || row.n < x) return …;` (no else, always exits) → the condition under which the write may go ahead. */
export function translateGuard(stmt: IfStatement, s: RowScope): Guard | string {
  const line = stmt.getStartLineNumber();
  if (stmt.getElseStatement() || !alwaysExits(stmt.getThenStatement())) return `the check on line ${line} does not end the request (it has an else, or its branch goes on), so it cannot become a condition of the write`;
  const guard: Guard = { statement: stmt, conditions: [], functions: [], usesSql: false };
  for (const part of orParts(stmt.getExpression())) {
    if (isNullCheck(part, s.row)) continue; // the row exists: a where naming it matches nothing otherwise
    const c = strip(part);
    const op = Node.isBinaryExpression(c) ? c.getOperatorToken().getText() : '';
    if (!Node.isBinaryExpression(c) || !NEGATED[op]) return `the check \`${snippet(part)}\` on line ${line} is not a comparison of the row's columns`;
    let [l, r, o] = [c.getLeft(), c.getRight(), op];
    if (!mentionsRow(l, s)) [l, r, o] = [r, l, MIRROR[op] ?? op];
    const left = toSql(l, s);
    if (typeof left === 'string') return `on line ${line}, ${left}`;
    if (!mentionsRow(r, s) && effectful(r)) return `the check on line ${line} compares with \`${snippet(r)}\`, which calls or assigns something the where would run a second time`;
    const right = mentionsRow(r, s) ? toSql(r, s) : { text: r.getText(), columns: [], usesSql: false };
    if (typeof right === 'string') return `on line ${line}, ${right}`;
    const relational = MIRROR[o] !== undefined;
    const notNumber = [...left.columns, ...right.columns].find((col) => columnKind(s.decl, col) !== 'number');
    if (relational && notNumber) return `the check on line ${line} compares ${s.table}.${notNumber} with ${o}, which only means the same in SQL for a number column`;
    guard.conditions.push(`${NEGATED[o]}(${left.text}, ${right.text})`);
    guard.functions.push(NEGATED[o]!);
    guard.usesSql ||= left.usesSql || right.usesSql;
  }
  return guard;
}

function orParts(e: Node): Node[] {
  const x = strip(e);
  if (Node.isBinaryExpression(x) && x.getOperatorToken().getKind() === SyntaxKind.BarBarToken) return [...orParts(x.getLeft()), ...orParts(x.getRight())];
  return [x];
}

export function isNullCheck(e: Node, row: string): boolean {
  const x = strip(e);
  if (Node.isPrefixUnaryExpression(x) && x.getOperatorToken() === SyntaxKind.ExclamationToken) return strip(x.getOperand()).getText() === row;
  if (!Node.isBinaryExpression(x) || !/^[!=]==?$/.test(x.getOperatorToken().getText())) return false;
  const [l, r] = [x.getLeft().getText(), x.getRight().getText()];
  return (l === row && /^(?:null|undefined)$/.test(r)) || (r === row && /^(?:null|undefined)$/.test(l));
}

function alwaysExits(stmt: Statement): boolean {
  if (Node.isReturnStatement(stmt) || Node.isThrowStatement(stmt)) return true;
  const last = Node.isBlock(stmt) ? stmt.getStatements().at(-1) : undefined;
  return Boolean(last && (Node.isReturnStatement(last) || Node.isThrowStatement(last)));
}
