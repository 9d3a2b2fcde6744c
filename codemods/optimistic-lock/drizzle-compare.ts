/**
 * A Drizzle write computed from the row in a way SQL cannot redo (a status transition, a merge, a toggle): the
 * compare-and-set. Every column of the row the decision looked at joins the where as `eq(t.f, row.f)`, so a row
 * changed since the read matches nothing and the route answers 409 instead of writing over the change.
 */
import { Node, SyntaxKind, type CallExpression } from 'ts-morph';
import { isNullCheck } from './drizzle-guard.ts';
import { columnKind, type DrizzleRead, type DrizzleUpdate, type TableDecl } from './drizzle-query.ts';

/** The columns `row.f` looked at between the read and the write (set included), or why they cannot all be compared. */
export function comparedColumns(fn: Node, read: DrizzleRead, setCall: CallExpression, u: DrizzleUpdate, decl: TableDecl, table: string): string[] | string {
  const fields = new Set<string>();
  const inWhere = (n: Node) => Boolean(u.where && n.getStart() >= u.where.getArguments()[0]!.getStart() && n.getEnd() <= u.where.getArguments()[0]!.getEnd());
  for (const id of fn.getDescendantsOfKind(SyntaxKind.Identifier)) {
    if (id.getText() !== read.name || id.getStart() <= read.decl.getEnd() || id.getEnd() > u.chain.getEnd() || inWhere(id)) continue;
    const parent = id.getParentOrThrow();
    if ((Node.isPropertyAccessExpression(parent) || Node.isPropertyAssignment(parent)) && parent.getNameNode() === id) continue;
    if (isNullCheck(parent, read.name)) continue;
    if (Node.isPropertyAccessExpression(parent) && parent.getExpression() === id && !parent.hasQuestionDotToken()) {
      fields.add(parent.getName());
      continue;
    }
    return `${read.name} is used whole on line ${id.getStartLineNumber()} (${parent.getText().replace(/\s+/g, ' ').slice(0, 40)}), so which columns the write depends on cannot be told`;
  }
  if (fields.size === 0) return `nothing of ${read.name} can be compared`;
  const bad = [...fields].filter((f) => !columnKind(decl, f));
  if (bad.length) return `${bad.map((f) => `${table}.${f}`).join(', ')} ${bad.length > 1 ? 'are' : 'is'} not declared a notNull() number or text column in the app's table, so an equality in the where would not match what was read (NULL, JSON)`;
  return [...fields].sort();
}
