/**
 * Where an update sits inside `client.$transaction(…)`: an element of the array form, or a statement of the
 * interactive callback. A transaction alone does not serialize a check-then-act: at Read Committed (the default)
 * two requests read the same row, both pass the check, and both write.
 */
import { Node, SyntaxKind, VariableDeclarationKind, type CallExpression } from 'ts-morph';
import { enclosingFunction } from '../ast.ts';
import { isFunctionLike } from '../lib/route-handler.ts';
import { prismaCall } from './query.ts';

export interface TransactionSite {
  /** The `$transaction(…)` call. */
  call: CallExpression;
  kind: 'array' | 'interactive';
  /** The interactive callback (`async (tx) => { … }`). */
  callback?: Node;
  /** `{ isolationLevel: 'Serializable' }` (or Prisma.TransactionIsolationLevel.Serializable) is passed. */
  serializable: boolean;
}

const isTransactionCall = (n: Node | undefined): n is CallExpression =>
  Boolean(n && Node.isCallExpression(n) && Node.isPropertyAccessExpression(n.getExpression()) && n.getExpression().asKindOrThrow(SyntaxKind.PropertyAccessExpression).getName() === '$transaction');

/** The transaction `update` runs in, or undefined when it is not (directly) inside one. */
export function transactionOf(update: CallExpression): TransactionSite | undefined {
  const array = update.getParent();
  if (array && Node.isArrayLiteralExpression(array) && isTransactionCall(array.getParent())) {
    const call = array.getParent() as CallExpression;
    if (call.getArguments()[0] === array) return { call, kind: 'array', serializable: serializable(call) };
  }
  const fn = enclosingFunction(update);
  const parent = fn?.getParent();
  if (fn && isTransactionCall(parent) && parent.getArguments()[0] === fn) return { call: parent, kind: 'interactive', callback: fn, serializable: serializable(parent) };
  const named = fn && namedCallbackRun(fn);
  return named && { call: named, kind: 'interactive', callback: fn, serializable: serializable(named) };
}

/**
 * `const run = async (tx) => { … }; await client.$transaction(run)`: the callback passed by name runs exactly as an
 * inline one, provided the name is used once, in a `$transaction` in the very next statement (so nothing between
 * the declaration and the run can read or change what the callback relies on).
 */
function namedCallbackRun(fn: Node): CallExpression | undefined {
  const decl = fn.getParent();
  if (!decl || !Node.isVariableDeclaration(decl) || decl.getInitializer() !== fn || !Node.isIdentifier(decl.getNameNode())) return undefined;
  const statement = decl.getFirstAncestorByKind(SyntaxKind.VariableStatement);
  if (!statement || statement.getDeclarationKind() !== VariableDeclarationKind.Const || statement.getDeclarations().length !== 1) return undefined;
  const next = statement.getNextSibling();
  const name = decl.getName();
  // Cheap test first: an exported handler `const POST = async (req) => …` would otherwise scan its whole module.
  if (!next || !next.getText().includes('$transaction')) return undefined;
  const uses = (statement.getParent()?.getDescendantsOfKind(SyntaxKind.Identifier) ?? []).filter((id) => id.getText() === name && id !== decl.getNameNode());
  if (!next || uses.length !== 1) return undefined;
  const call = uses[0]!.getParent();
  if (!isTransactionCall(call) || call.getArguments()[0] !== uses[0] || !(call.getStart() >= next.getStart() && call.getEnd() <= next.getEnd())) return undefined;
  return enclosingFunction(call) === enclosingFunction(statement) ? call : undefined;
}

function serializable(call: CallExpression): boolean {
  const options = call.getArguments()[1];
  return Boolean(options && /\bisolationLevel\s*:\s*(?:[\w.]*\.Serializable\b|['"]Serializable['"])/.test(options.getText()));
}

// Calls that cannot fail with "record not found" (P2025) themselves, so a P2025 from the transaction is ours.
const CANNOT_MISS = /^(?:findUnique|findFirst|findMany|count|aggregate|groupBy|create|createMany)$/;

/**
 * Why another operation in the transaction could also end it with P2025 (so a conflict could not be told apart
 * from a missing record), or undefined when only `update` can.
 */
export function otherMissCauses(tx: TransactionSite, update: CallExpression): string | undefined {
  const ops: Node[] = tx.kind === 'array' ? tx.call.getArguments()[0]!.asKindOrThrow(SyntaxKind.ArrayLiteralExpression).getElements() : tx.callback!.getDescendantsOfKind(SyntaxKind.CallExpression);
  const param = tx.callback && (Node.isArrowFunction(tx.callback) || Node.isFunctionExpression(tx.callback)) ? tx.callback.getParameters()[0]?.getName() : undefined;
  const clients = new Set([tx.call.getExpression().asKindOrThrow(SyntaxKind.PropertyAccessExpression).getExpression().getText(), param]);
  for (const op of ops) {
    if (op === update) continue;
    const call = Node.isCallExpression(op) ? prismaCall(op) : undefined;
    if (call && clients.has(call.client)) {
      if (!CANNOT_MISS.test(call.method)) return `${call.model}.${call.method} in the same transaction can also fail with "record not found" (P2025)`;
      // A nested `connect` fails with P2025 when the related row is missing.
      if (/\bconnect\b/.test(op.getText())) return `${call.model}.${call.method} connects a related record, which fails the same way (P2025) when that record is missing`;
      continue;
    }
    if (tx.kind === 'array') return `the array holds \`${op.getText().slice(0, 40)}\`, which genie-fix cannot read as a query`;
    // Awaited work other than the queries above (a helper, a raw query) may end the transaction with P2025 too.
    if (Node.isCallExpression(op) && (op.getParentIfKind(SyntaxKind.AwaitExpression) || op.getArguments().some((a) => a.getText() === param))) {
      return `it also awaits \`${op.getExpression().getText()}(…)\`, which may fail the same way (P2025)`;
    }
  }
  return undefined;
}

/** The update's failure ends the transaction: awaited in the callback and not caught there. */
export function failureEndsTransaction(tx: TransactionSite, update: CallExpression): boolean {
  if (tx.kind === 'array') return true;
  // Awaited, or returned from the callback (`return tx.x.update(…)`, `async (tx) => tx.x.update(…)`): its rejection is the callback's.
  const parent = update.getParent();
  const settled = Boolean(update.getParentIfKind(SyntaxKind.AwaitExpression)) || (parent !== undefined && (Node.isReturnStatement(parent) || parent === tx.callback));
  if (!settled) return false;
  for (let n: Node | undefined = update.getParent(); n && n !== tx.callback; n = n.getParent()) {
    if (Node.isTryStatement(n) || isFunctionLike(n)) return false;
  }
  return true;
}

/**
 * The app's declared Prisma major version (`@prisma/client` or `prisma` in package.json), when it can be read:
 * extra non-unique fields in `update`'s where are GA only since 5.0.
 */
export function prismaMajor(packageJson: string | undefined): number | undefined {
  try {
    const pkg = JSON.parse(packageJson ?? '{}') as Record<string, Record<string, string> | undefined>;
    const range = ['dependencies', 'devDependencies'].map((k) => pkg[k]?.['@prisma/client'] ?? pkg[k]?.['prisma']).find(Boolean);
    const m = range && /(\d+)\./.exec(range);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}
