/**
 * A check-then-act whose write runs inside `$transaction` (array or interactive), often beside a ledger row
 * computed from the same read (`balanceAfter: newQty`). The smallest rewrite that keeps both the invariant and the
 * ledger right: a compare-and-set. The fields the decision read join the update's `where`, so a row changed since
 * the read matches nothing; Prisma's `update` then fails with P2025 (non-unique where fields, GA since Prisma 5),
 * the whole transaction rolls back (the ledger row too), `.catch(conflictOnMissingRow)` names it a ConflictError,
 * and the route's own catch answers 409. Every statement, the result's shape and the transaction form stay as written.
 */
import { Node, SyntaxKind, type CallExpression, type ObjectLiteralExpression } from 'ts-morph';
import { enclosingFunction, eolOf, indentOf, type Edit } from '../ast.ts';
import { provenNonNull } from '../lib/null-guards.ts';
import { isFunctionLike, isPagesApiHandler, isServerAction, routeHandlerMethod } from '../lib/route-handler.ts';
import { MARKER, transactionMessage } from './messages.ts';
import { expectedFields } from './plan-compare-and-set.ts';
import { human, type Outcome } from './plan.ts';
import { objectProp, propMap } from './query.ts';
import type { Decision, ReadModifyWrite } from './read-modify-write.ts';
import { uncomparable, type ModelInfo } from './schema.ts';
import { failureEndsTransaction, otherMissCauses, type TransactionSite } from './transaction.ts';
import { acceptsResponse } from './write-site.ts';

export interface TransactionInput {
  label: string;
  model: string;
  update: CallExpression;
  where: ObjectLiteralExpression;
  data: Node;
  info: ModelInfo;
  rmw: ReadModifyWrite;
  decision: Decision;
  tx: TransactionSite;
  optedIn: boolean;
  relPath: string;
  /** The app's declared Prisma major version, when package.json names one. */
  prismaMajor?: number;
}

export function planTransaction(input: TransactionInput): Outcome {
  const { label, model, update, where, data, info, rmw, decision, tx, optedIn, relPath, prismaMajor } = input;
  const { readVar } = rmw;
  const inTx = `${label} inside $transaction([…]) is a check-then-act on ${readVar} (read earlier)`.replace('([…])', tx.kind === 'array' ? '([…])' : '(async (tx) => …)');
  const byHand = 'make it a conditional updateMany (the check in its where, count checked) by hand';
  const whereKeys = propMap(where);
  if (!whereKeys || where.getProperties().some((p) => Node.isPropertyAssignment(p) && Node.isObjectLiteralExpression(p.getInitializerOrThrow()))) {
    return human(`${inTx}, but its where is not a plain field filter (compound key or spread): ${byHand}`);
  }
  // A previous run (or the author) already compares a read field in the where.
  if ([...whereKeys].some(([k, v]) => v === `${readVar}.${k}`)) return { kind: 'leave' };
  const expected = expectedFields(info, decision, whereKeys, data);
  if (typeof expected === 'string') return human(`${inTx}${expected}`);
  const bad = uncomparable(info, expected.fields);
  if (bad.length) return human(`${inTx}, but ${bad.join(', ')} cannot be compared in a where (relation, list, Json or unknown field): add \`version Int @default(0)\` to ${model} and ${byHand}`);
  if (expected.bumpVersion && !Node.isObjectLiteralExpression(data)) return human(`${inTx}, but its data is not an object literal, so the version bump cannot be added: ${byHand}`);
  const readSelect = objectProp(rmw.readArgs, 'select');
  if (readSelect && expected.fields.some((f) => !new RegExp(`\\b${f}\\s*:\\s*true\\b`).test(readSelect.getText()))) {
    return human(`${inTx}, but the read selects fields without ${expected.fields.join(', ')}: add them to the select and ${byHand}`);
  }
  const readInside = tx.callback !== undefined && tx.callback.getStart() <= rmw.read.getStart() && rmw.read.getEnd() <= tx.callback.getEnd();
  if (!provenNonNull(rmw.readDecl, readInside ? update : tx.call)) {
    return human(`${inTx}, but ${readVar} may be null at the write (no \`if (!${readVar}) return …\` before it), and the compare-and-set would read its fields: ${byHand}`);
  }
  if (prismaMajor !== undefined && prismaMajor < 5) return human(`${inTx}, but the app declares Prisma ${prismaMajor}, where update's where takes only unique fields (extra fields are GA since Prisma 5): ${byHand}`);
  if (!failureEndsTransaction(tx, update)) return human(`${inTx}, but the update's promise is neither awaited nor returned in the callback (or a try there catches its failure), so a conflict would not roll the transaction back: ${byHand}`);
  const other = otherMissCauses(tx, update);
  if (other) return human(`${inTx}, but ${other}, so a conflict could not be told apart from a missing record: ${byHand}`);

  const awaited = tx.call.getParentIfKind(SyntaxKind.AwaitExpression);
  const fn = enclosingFunction(tx.call);
  if (!awaited || !fn) return human(`${inTx}, but the $transaction(…) promise is not awaited where it is called, so its failure cannot be answered there: ${byHand}`);
  if (fn.getAncestors().some(isFunctionLike) || Node.isCallExpression(fn.getParent())) {
    return human(`${inTx}, but the $transaction runs inside a callback, where neither a 409 nor a thrown ConflictError reaches the caller as intended: ${byHand}`);
  }
  const method = routeHandlerMethod(fn, relPath);
  if (!method && isPagesApiHandler(fn, relPath)) return human(`${inTx}, but it is in a pages/api handler, which answers a conflict with res.status(409), not a returned Response: ${byHand}`);
  if (!method && isServerAction(fn)) return human(`${inTx}, but it is in a server action, whose client would see a thrown ConflictError only as a generic error: ${byHand}`);
  if (!method && !optedIn) {
    return human(`${inTx} in library code (not a route handler), where a conflict can only be thrown to callers that may not expect it: ${byHand}, or opt the file in (\`--version-check ${relPath}\` or a \`${MARKER}\` comment) to have genie-fix write a compare-and-set that throws ConflictError`);
  }

  const edits: Edit[] = [whereEdit(where, expected.fields.map((f) => `${f}: ${readVar}.${f}`))];
  if (expected.bumpVersion) edits.push(whereEdit(data as ObjectLiteralExpression, ['version: { increment: 1 }']));
  edits.push({ start: tx.call.getEnd(), end: tx.call.getEnd(), text: '.catch(conflictOnMissingRow)' });
  const imports = ['conflictOnMissingRow'];
  if (method) {
    if (!acceptsResponse(fn)) return human(`${inTx}, but the handler declares a return type a plain 409 Response may not fit: ${byHand} and answer conflictResponse()`);
    const handler = catchOf(tx.call, fn);
    if (typeof handler === 'string') return human(`${inTx}, but ${handler}: ${byHand}, or wrap it in a try whose catch answers conflictResponse() for a ConflictError`);
    if (handler) {
      edits.push(handler);
      imports.push('ConflictError', 'conflictResponse');
    }
  }
  return { kind: 'edit', edits, imports, message: transactionMessage(label, readVar, expected.fields, tx.kind, Boolean(method)) };
}

/** Adds `entries` after the last property of a plain object literal, on its own line when the object spans lines. */
function whereEdit(obj: ObjectLiteralExpression, entries: string[]): Edit {
  const props = obj.getProperties();
  const last = props[props.length - 1];
  if (!last) return { start: obj.getStart() + 1, end: obj.getStart() + 1, text: ` ${entries.join(', ')} ` };
  const next = last.getNextSibling();
  const trailingComma = next?.getKind() === SyntaxKind.CommaToken;
  if (!obj.getText().includes('\n')) return { start: last.getEnd(), end: last.getEnd(), text: `, ${entries.join(', ')}` };
  const eol = eolOf(obj.getSourceFile());
  const pad = indentOf(last);
  const lines = entries.map((e) => `${eol}${pad}${e},`).join('');
  return trailingComma ? { start: next!.getEnd(), end: next!.getEnd(), text: lines } : { start: last.getEnd(), end: last.getEnd(), text: `,${lines.slice(0, -1)}` };
}

/**
 * The 409 line at the top of the catch around the write, in the handler itself: an edit, undefined when that catch
 * already answers ConflictError, or why there is none (the route would answer 500).
 */
function catchOf(txCall: CallExpression, fn: Node): Edit | undefined | string {
  for (let child: Node = txCall, parent = txCall.getParent(); parent && parent !== fn; child = parent, parent = parent.getParent()) {
    if (!Node.isTryStatement(parent) || parent.getTryBlock() !== child) continue;
    const clause = parent.getCatchClause();
    const binding = clause?.getVariableDeclaration()?.getNameNode();
    if (!clause || !binding || !Node.isIdentifier(binding)) return 'the try around it has no `catch (error)` to answer a conflict from';
    if (/instanceof\s+ConflictError\b/.test(clause.getBlock().getText())) return undefined;
    const first = clause.getBlock().getStatements()[0];
    const name = binding.getText();
    const semi = /;\s*$/.test(first?.getText() ?? ';') ? ';' : '';
    const eol = eolOf(fn.getSourceFile());
    if (!first) return 'the catch around it is empty';
    return { start: first.getStart(), end: first.getStart(), text: `if (${name} instanceof ConflictError) return conflictResponse(${name})${semi}${eol}${indentOf(first)}` };
  }
  return 'no try/catch in the handler surrounds it, so a conflict would reach Next.js as a 500';
}
