/**
 * A parent row's totals recomputed from all its child rows (`findMany` of the line items, summed, then written to
 * the invoice): at Read Committed, inside `$transaction` too, each of two concurrent requests reads the items
 * without the other's uncommitted change, so whichever writes last drops the other's item from the totals.
 * A compare-and-set on the parent's own fields cannot see that race, and no small edit closes it safely.
 */
import { Node, SyntaxKind, type CallExpression } from 'ts-morph';
import { referencedNames } from '../ast.ts';
import { derivedNames } from '../lib/derived-names.ts';
import { prismaCall } from './query.ts';
import type { TransactionSite } from './transaction.ts';

const MANY = /^(?:findMany|aggregate|count|groupBy)$/;
const MANY_TOTAL = /^(?:aggregate|count|groupBy)$/;

/** Why the update's data rests on a read of many rows of another model, or undefined when it does not. */
export function aggregateRace(fn: Node, update: CallExpression, model: string, data: Node, tx: TransactionSite | undefined): string | undefined {
  const reads = fn.getDescendantsOfKind(SyntaxKind.CallExpression).filter((c) => {
    const call = prismaCall(c);
    return c.getEnd() <= update.getStart() && call !== undefined && call.model !== model && MANY.test(call.method);
  });
  for (const read of reads) {
    // A serializable transaction around both aborts one of two such runs.
    if (tx?.serializable && tx.callback && read.getStart() >= tx.callback.getStart() && read.getEnd() <= tx.callback.getEnd()) continue;
    const names = derivedNames(fn, (init) => init.getStart() <= read.getStart() && read.getEnd() <= init.getEnd());
    const used = referencedNames(data).filter((n) => names.has(n));
    // A sum or a count of the rows, not a value picked from one of them.
    const totals = MANY_TOTAL.test(prismaCall(read)!.method) || fn.getDescendantsOfKind(SyntaxKind.VariableDeclaration).some((d) => names.has(d.getName()) && /\.(?:reduce|length)\b/.test(d.getInitializer()?.getText() ?? ''));
    if (!used.length || !totals) continue;
    const call = prismaCall(read)!;
    const fields = Node.isObjectLiteralExpression(data) ? data.getProperties().filter((p) => referencedNames(p).some((n) => names.has(n))).map((p) => (Node.isPropertyAssignment(p) || Node.isShorthandPropertyAssignment(p) ? p.getName() : p.getText())) : used;
    return `${model}.update writes ${fields.join(', ')} computed from all ${call.model} rows read by ${call.method} (line ${read.getStartLineNumber()}): two concurrent requests that each add or change one ${call.model} read those rows without the other's uncommitted change (Read Committed, even inside $transaction), so the last write drops the other's from ${fields.join(', ')}, and a compare-and-set on ${model}'s own fields cannot see that. Lock the ${model} row first (SELECT … FOR UPDATE at the start of the transaction), compute the totals in the UPDATE itself (raw SQL with a SUM over the rows), or run the transaction Serializable and retry P2034 — by hand`;
  }
  return undefined;
}
