/**
 * The write as one conditional `updateMany` whose where also holds the check's negation, answering what the check
 * answers when no row matched. Shared by the check-then-act plans (a counter's bound, a state transition, a write
 * that runs only in a checked state). Every rule below is a case where that rewrite would change what the code
 * does without a race, so the write is left to a human instead.
 */
import { Node, SyntaxKind, type CallExpression, type IfStatement, type ObjectLiteralExpression, type Statement } from 'ts-morph';
import { eolOf, enclosingFunction, indentOf, referencedNames, type Edit } from '../ast.ts';
import { freshName } from './fresh-name.ts';
import { human, type Outcome } from './plan.ts';
import { ROW_CHANGES, prismaCall, propMap, writeBetween, type PrismaCall } from './query.ts';
import type { TransactionSite } from './transaction.ts';

export interface GuardedAtomicInput {
  label: string;
  update: CallExpression;
  call: PrismaCall & { args: ObjectLiteralExpression };
  where: ObjectLiteralExpression;
  data: Node;
  tx: TransactionSite | undefined;
  reserved: Set<string>;
}

export interface Filter {
  field: string;
  /** Prisma filter text: `{ gte: cost }`. */
  text: string;
  /** Identifiers the filter's value reads; they must mean the same at the write. */
  names: string[];
}

/** The row the check looked at: its read and the name it is bound to. */
export interface CheckedRow {
  read: CallExpression;
  readVar: string;
}

export interface ConditionalOptions {
  /**
   * Calls of the app's own may be awaited between the check and the write (the model call between a credit check
   * and its decrement). Off for states: such a call may move the state itself (markShipped(order.id)).
   */
  appCallsBetween: boolean;
}

const LOOPS = [SyntaxKind.ForStatement, SyntaxKind.ForOfStatement, SyntaxKind.ForInStatement, SyntaxKind.WhileStatement, SyntaxKind.DoStatement];

/** The rewrite, or a human's reason when it cannot be written safely here. */
export function conditionalWrite(input: GuardedAtomicInput, fn: Node, row: CheckedRow, guard: IfStatement, exit: Statement, filters: Filter[], because: string, outcome: string, opts: ConditionalOptions): Outcome {
  const { update, where, reserved } = input;
  const why = whyNot(input, fn, row, guard, exit, filters, opts);
  if (why) return human(`${because}; ${why}`);
  const stmt = update.getParentOrThrow().getParentOrThrow() as Statement;
  const eol = eolOf(update.getSourceFile());
  const indent = indentOf(stmt);
  const guardIndent = indentOf(guard);
  const matched = freshName(fn, 'matched', reserved);
  const addition = filters.map((f) => `${f.field}: ${f.text}`).join(', ');
  // The check's own answer, re-indented from the check's depth to the write's.
  const answer = exit.getText().split(/\r?\n/).map((line, i) => (i > 0 && line.startsWith(guardIndent) ? indent + line.slice(guardIndent.length) : line)).join(eol);
  const method = update.getExpression().asKindOrThrow(SyntaxKind.PropertyAccessExpression).getNameNode();
  const last = where.getProperties().at(-1);
  const edits: Edit[] = [
    { start: stmt.getStart(), end: stmt.getStart(), text: `const { count: ${matched} } = ` },
    { start: method.getStart(), end: method.getEnd(), text: 'updateMany' },
    last ? whereAddition(where, last, addition, eol) : { start: where.getStart(), end: where.getEnd(), text: `{ ${addition} }` },
    { start: stmt.getEnd(), end: stmt.getEnd(), text: `${eol}${indent}// No row matched: a concurrent request got past the same check first.${eol}${indent}if (${matched} === 0) ${answer}` },
  ];
  return {
    kind: 'edit',
    edits,
    imports: [],
    message: `${because} (${outcome}). The write is now one conditional updateMany with \`${addition}\` in its where; when no row matched it answers what the check \`${guard.getExpression().getText()}\` answers`,
  };
}

/** Why the conditional write would not do what the code did, or undefined when it would. */
function whyNot(input: GuardedAtomicInput, fn: Node, row: CheckedRow, guard: IfStatement, exit: Statement, filters: Filter[], opts: ConditionalOptions): string | undefined {
  const { update, call, where, tx } = input;
  const { read, readVar } = row;
  const block = guard.getParent();
  if (!block || !(Node.isBlock(block) || Node.isSourceFile(block)) || !(update.getStart() > block.getStart() && update.getEnd() <= block.getEnd())) {
    return 'the check does not run on every path to the write: make the write conditional by hand';
  }
  if (enclosingFunction(update) !== enclosingFunction(guard)) {
    return 'the check runs outside the callback that writes (a transaction\'s or a loop\'s), so its answer cannot be given there: make the write an updateMany with the check in its where, count checked, and throw to roll the transaction back';
  }
  const awaited = update.getParent();
  const stmt = awaited && Node.isAwaitExpression(awaited) ? awaited.getParent() : undefined;
  if (!stmt || !Node.isExpressionStatement(stmt)) return "the write's result is used, and a conditional updateMany returns only a count: make it conditional by hand";
  // `if (x) await db.m.update(…)`: a declaration cannot stand there, and the count check would land outside the if.
  if (!Node.isBlock(stmt.getParent()) && !Node.isSourceFile(stmt.getParent())) return 'the write is not a statement of a block (an if or else without braces): make it conditional by hand';
  // In a loop the check ran once and the write runs many times: the first write may leave the row outside the bound.
  for (let n: Node | undefined = update.getParent(); n && n !== block; n = n.getParent()) {
    if (LOOPS.includes(n.getKind())) return 'the write runs in a loop after one check, so a later round would find the row changed by an earlier one: make it conditional by hand';
  }
  const exitNode = Node.isBlock(exit) ? exit.getStatements().at(-1)! : exit;
  if (tx?.kind === 'interactive' && !Node.isThrowStatement(exitNode)) {
    return "the write runs in a transaction, where answering with the check's return would commit what the callback wrote before it: make it conditional and throw by hand";
  }
  for (const key of ['select', 'include', 'omit']) if (call.args.getProperty(key)) return `the write has a ${key}, which updateMany does not take: make it conditional by hand`;
  const whereProps = where.getProperties();
  const plain = (p: Node) => Node.isShorthandPropertyAssignment(p) || (Node.isPropertyAssignment(p) && !Node.isObjectLiteralExpression(p.getInitializer()));
  if (!whereProps.every(plain)) return 'the where uses a compound or nested selector, which updateMany writes differently: make it conditional by hand';
  if (filters.some((f) => where.getProperty(f.field))) return `the where already filters ${filters.map((f) => f.field).join(', ')}: make it conditional by hand`;
  const undefinedKey = keyMayBeUndefined(where, read, readVar);
  if (undefinedKey) return `\`${undefinedKey}\` in the where is not proven to hold a value (an update refuses an undefined key; updateMany ignores it and would write every matching row): make it conditional by hand`;
  // The exit is copied after the write: side effects in it would run again, and the row it names is the stale one.
  const exitStatements = Node.isBlock(exit) ? exit.getStatements() : [exit];
  if (exitStatements.slice(0, -1).some((s) => !(Node.isExpressionStatement(s) && /^console\.\w+\(/.test(s.getExpression().getText())))) {
    return "the check's answer does more than answer (it writes or calls something), and it would run again when the write finds the row changed: make it conditional by hand";
  }
  if (referencedNames(exit).includes(readVar)) return `the check's answer uses ${readVar}, which would be the stale row when the write finds it changed: make it conditional by hand`;
  const caught = update.getAncestors().find((a) => Node.isTryStatement(a) && a.getStart() > fn.getStart() && /P2025|NotFound|not found/i.test(a.getCatchClause()?.getText() ?? ''));
  if (caught) return 'the write sits in a try whose catch answers a missing row (P2025), which updateMany never raises: make it conditional by hand';
  // Another write of the model after the read may move the row on by design (a status set first, a second decrement).
  const otherWrite = writeBetween(fn, read, update, ROW_CHANGES, call.model);
  if (otherWrite) return `\`${otherWrite.getExpression().getText()}\` at line ${otherWrite.getStartLineNumber()} writes between the read and this write, so the checked state need not hold here: make it conditional by hand`;
  if (!opts.appCallsBetween) {
    const call = fn.getDescendantsOfKind(SyntaxKind.AwaitExpression).find((a) => a.getStart() > guard.getEnd() && a.getEnd() < update.getStart() && !readOrBody(a.getExpression()));
    if (call) return `\`${call.getExpression().getText().slice(0, 40)}\` runs between the check and the write and may change the state itself: make it conditional by hand`;
  }
  const changed = changedBetween(fn, guard, update);
  const moved = [...filters.flatMap((f) => f.names), ...referencedNames(exit), ...referencedNames(where)].filter((n) => changed.has(n));
  if (moved.length) return `${moved.map((n) => `\`${n}\``).join(', ')} may mean something else at the write than at the check: make it conditional by hand`;
  // The checked field changed in memory after the read (`if (o.status === 'new') o.status = 'pending'`).
  const rowChanged = changedBetween(fn, read, update);
  const edited = filters.map((f) => `${readVar}.${f.field}`).filter((n) => rowChanged.has(n));
  if (edited.length) return `${edited.join(', ')} is changed in memory before the write, so the row no longer holds what the check saw: make it conditional by hand`;
  return undefined;
}

/**
 * A where value that may be undefined at run time. Proven defined: a field of the row read (`order.id`), a literal,
 * or the very key a findUnique read with (which refuses an undefined key before the write is reached).
 */
function keyMayBeUndefined(where: ObjectLiteralExpression, read: CallExpression, readVar: string): string | undefined {
  const readCall = prismaCall(read);
  const readWhere = readCall?.args?.getProperty('where');
  const readKeys = readWhere && Node.isPropertyAssignment(readWhere) && Node.isObjectLiteralExpression(readWhere.getInitializer()) ? propMap(readWhere.getInitializer() as ObjectLiteralExpression) : undefined;
  const unique = /^findUnique(?:OrThrow)?$/.test(readCall?.method ?? '');
  const plain = (v: string) => v.replace(/\s+/g, '').replace(/!$/, '');
  for (const [key, value] of propMap(where) ?? new Map<string, string>()) {
    if (plain(value).startsWith(`${readVar}.`) || /^(?:'[^']*'|"[^"]*"|\d+)$/.test(value)) continue;
    if (unique && readKeys && plain(readKeys.get(key) ?? '') === plain(value)) continue;
    return key;
  }
  return undefined;
}

/** `await db.m.findUnique(…)`, `await req.json()`: a read of the database or of the request's own body. */
function readOrBody(e: Node): boolean {
  const p = Node.isCallExpression(e) ? prismaCall(e) : undefined;
  return Boolean(p && /^(?:find\w*|count|aggregate|groupBy)$/.test(p.method)) || /^\w+\.(?:json|formData|text)\(\)$/.test(e.getText());
}

/** Names declared or assigned between `from` and `to` in `fn`: a value read at the check may differ at the write. */
function changedBetween(fn: Node, from: Node, to: Node): Set<string> {
  const inside = (n: Node) => n.getStart() > from.getEnd() && n.getEnd() <= to.getStart();
  const out = new Set<string>();
  for (const d of fn.getDescendantsOfKind(SyntaxKind.VariableDeclaration)) if (inside(d)) for (const n of referencedNames(d.getNameNode())) out.add(n);
  for (const b of fn.getDescendantsOfKind(SyntaxKind.BinaryExpression)) {
    if (inside(b) && /^(?:[-+*/%&|^]|\*\*|<<|>>>?|&&|\|\||\?\?)?=$/.test(b.getOperatorToken().getText())) out.add(b.getLeft().getText());
  }
  const steps = [SyntaxKind.PlusPlusToken, SyntaxKind.MinusMinusToken];
  for (const u of [...fn.getDescendantsOfKind(SyntaxKind.PostfixUnaryExpression), ...fn.getDescendantsOfKind(SyntaxKind.PrefixUnaryExpression)]) {
    if (inside(u) && steps.includes(u.getOperatorToken())) out.add(u.getOperand().getText());
  }
  return out;
}

/** The filters appended to the where: on the same line, or on a line of their own when each field has one. */
function whereAddition(where: ObjectLiteralExpression, last: Node, addition: string, eol: string): Edit {
  const lineOfOwn = where.getText().includes('\n') && /\n[ \t]*$/.test(where.getSourceFile().getFullText().slice(0, last.getStart()));
  if (!lineOfOwn) return { start: last.getEnd(), end: last.getEnd(), text: `, ${addition}` };
  const comma = last.getNextSibling();
  const trailing = comma?.getKind() === SyntaxKind.CommaToken;
  const at = trailing ? comma!.getEnd() : last.getEnd();
  return { start: at, end: at, text: `${trailing ? '' : ','}${eol}${indentOf(last)}${addition}${trailing ? ',' : ''}` };
}
