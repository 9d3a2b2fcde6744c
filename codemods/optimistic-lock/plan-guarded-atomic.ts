/**
 * Check-then-act with an atomic write: `if (user.credits < cost) return 402; … update({ data: { credits:
 * { decrement: cost } } })`. The decrement itself is atomic, but the check ran on a value read earlier, so two
 * requests can both pass it (negative credits, an oversold stock, a usage limit overrun). The write becomes one
 * conditional `updateMany` whose where also holds the check's negation, and when no row matched it answers what
 * the check answers. The check stays where it is: without a race nothing changes.
 */
import { Node, SyntaxKind, type CallExpression, type IfStatement, type ObjectLiteralExpression, type PropertyAccessExpression, type Statement } from 'ts-morph';
import { eolOf, enclosingFunction, indentOf, referencedNames, type Edit } from '../ast.ts';
import { freshName } from './fresh-name.ts';
import { human, type Outcome } from './plan.ts';
import { ONE_ROW_READS, prismaCall, type PrismaCall } from './query.ts';
import { sameRecord } from './read-modify-write.ts';
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

/** Fields the data changes atomically: `credits: { decrement: cost }`. */
function atomicFields(data: Node): Set<string> {
  const out = new Set<string>();
  if (!Node.isObjectLiteralExpression(data)) return out;
  for (const p of data.getProperties()) {
    if (!Node.isPropertyAssignment(p)) continue;
    const init = p.getInitializer();
    if (init && Node.isObjectLiteralExpression(init) && init.getProperties().some((q) => Node.isPropertyAssignment(q) && /^(?:increment|decrement)$/.test(q.getName()))) out.add(p.getName());
  }
  return out;
}

/** The exit a check takes: `return …` / `throw …`, alone or ending a block; undefined when it falls through. */
export function exitOf(guard: IfStatement): Statement | undefined {
  if (guard.getElseStatement()) return undefined;
  const then = guard.getThenStatement();
  const last = Node.isBlock(then) ? then.getStatements().at(-1) : then;
  return last && (Node.isReturnStatement(last) || Node.isThrowStatement(last)) ? then : undefined;
}

const NEGATED: Record<string, string> = { '<': 'gte', '<=': 'gt', '>': 'lte', '>=': 'lt' };
const FLIPPED: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

export function unwrap(e: Node): Node {
  return Node.isParenthesizedExpression(e) ? unwrap(e.getExpression()) : e;
}

export function disjuncts(e: Node): Node[] {
  const x = unwrap(e);
  if (Node.isBinaryExpression(x) && x.getOperatorToken().getText() === '||') return [...disjuncts(x.getLeft()), ...disjuncts(x.getRight())];
  return [x];
}

/** `!row`, `row === null`, `row == undefined`: the row is missing, which a conditional update also answers. */
export function isMissingRow(e: Node, readVar: string): boolean {
  if (Node.isPrefixUnaryExpression(e) && e.getOperatorToken() === SyntaxKind.ExclamationToken) return unwrap(e.getOperand()).getText() === readVar;
  if (!Node.isBinaryExpression(e) || !/^[!=]==?$/.test(e.getOperatorToken().getText()) || e.getOperatorToken().getText().startsWith('!')) return false;
  const [l, r] = [e.getLeft().getText(), e.getRight().getText()];
  return (l === readVar && /^(?:null|undefined)$/.test(r)) || (r === readVar && /^(?:null|undefined)$/.test(l));
}

export interface Filter {
  field: string;
  /** Prisma filter text: `{ gte: cost }`. */
  text: string;
  /** Identifiers the filter's value reads; they must mean the same at the write. */
  names: string[];
}

/** The check's negation as where filters on the atomic fields, or why it cannot be one. */
function negate(cond: Node, readVar: string, fields: Set<string>): Filter[] | string {
  const out: Filter[] = [];
  const mentionsRow = (n: Node) => referencedNames(n).includes(readVar);
  for (const d of disjuncts(cond)) {
    if (isMissingRow(d, readVar)) continue;
    const onField = d.getDescendantsOfKind(SyntaxKind.PropertyAccessExpression).some((p) => p.getExpression().getText() === readVar && fields.has(p.getName()));
    // A part that does not look at the counter keeps guarding as before; only the counter can race here.
    if (!onField && !(Node.isPropertyAccessExpression(d) && d.getExpression().getText() === readVar && fields.has(d.getName()))) continue;
    const rowBound = [d, ...d.getDescendantsOfKind(SyntaxKind.BinaryExpression)].find(
      (b) => Node.isBinaryExpression(b) && b.getOperatorToken().getText() in NEGATED && [b.getLeft(), b.getRight()].some((x) => looksAtCounter(x, readVar, fields)) && mentionsRow(b.getLeft()) && mentionsRow(b.getRight()),
    );
    if (rowBound) return rowBoundReason(rowBound, readVar, fields);
    if (!Node.isBinaryExpression(d) || !(d.getOperatorToken().getText() in NEGATED)) return `the check \`${d.getText()}\` is not a plain comparison of the counter`;
    let op = d.getOperatorToken().getText();
    let [side, value] = [unwrap(d.getLeft()), unwrap(d.getRight())];
    if (!(Node.isPropertyAccessExpression(side) && side.getExpression().getText() === readVar)) {
      [side, value] = [value, side];
      op = FLIPPED[op]!;
    }
    if (!(Node.isPropertyAccessExpression(side) && side.getExpression().getText() === readVar && fields.has(side.getName())) || mentionsRow(value)) {
      return rowBoundReason(d, readVar, fields);
    }
    out.push({ field: side.getName(), text: `{ ${NEGATED[op]}: ${value.getText()} }`, names: referencedNames(value) });
  }
  if (new Set(out.map((f) => f.field)).size !== out.length) return 'the counter is checked against more than one bound';
  return out;
}

/**
 * A bound read from the same row (`usageCount >= usageLimit`) is not a value a where can compare with; only a
 * Prisma field reference (`{ lt: prisma.coupon.fields.usageLimit }`, GA since Prisma 5) can, and genie-fix does
 * not write one: a nullable bound (no limit) needs its own branch in the where, and the reference names the client.
 */
function rowBoundReason(check: Node, readVar: string, fields: Set<string>): string {
  const other = check.getDescendantsOfKind(SyntaxKind.PropertyAccessExpression).find((p) => p.getExpression().getText() === readVar && !fields.has(p.getName()));
  const isField = (e: Node, f: (n: string) => boolean) => Node.isPropertyAccessExpression(unwrap(e)) && (unwrap(e) as PropertyAccessExpression).getExpression().getText() === readVar && f((unwrap(e) as PropertyAccessExpression).getName());
  let filter = other ? `a field reference (\`<client>.<model>.fields.${other.getName()}\`, Prisma 5 or later)` : '';
  // `row.count >= row.limit`, both plain fields: the exact filter it takes.
  if (other && Node.isBinaryExpression(check) && check.getOperatorToken().getText() in NEGATED) {
    const op = check.getOperatorToken().getText();
    const [l, r] = [check.getLeft(), check.getRight()];
    const counterLeft = isField(l, (n) => fields.has(n)) && isField(r, (n) => !fields.has(n));
    const counterRight = isField(r, (n) => fields.has(n)) && isField(l, (n) => !fields.has(n));
    if (counterLeft || counterRight) {
      const counter = (unwrap(counterLeft ? l : r) as PropertyAccessExpression).getName();
      filter = `a field reference (\`${counter}: { ${NEGATED[counterLeft ? op : FLIPPED[op]!]}: <client>.<model>.fields.${other.getName()} }\`, Prisma 5 or later, and another branch of the where if ${other.getName()} can be null)`;
    }
  }
  return `the check \`${check.getText()}\` compares the counter with something computed from the row (a bound from the same row cannot be a constant in a where${filter ? `; only ${filter} can hold it, which genie-fix does not write` : ''})`;
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

/**
 * `where: { id: couponId }` where every value given to `couponId` in `fn` is `coupon.id` (or null before it): the
 * write names the row that was read, through a local. Reported only: see `rewrite`.
 */
function keyedThroughLocals(fn: Node, readVar: string, where: ObjectLiteralExpression): boolean {
  const props = where.getProperties();
  return props.length > 0 && props.every((p) => {
    if (!Node.isPropertyAssignment(p)) return false;
    const local = p.getInitializer();
    if (!local || !Node.isIdentifier(local)) return false;
    const values = [
      ...fn.getDescendantsOfKind(SyntaxKind.VariableDeclaration).filter((d) => d.getName() === local.getText()).map((d) => d.getInitializer()?.getText() ?? 'null'),
      ...fn.getDescendantsOfKind(SyntaxKind.BinaryExpression).filter((b) => /=$/.test(b.getOperatorToken().getText()) && !/^[!=<>]=/.test(b.getOperatorToken().getText()) && b.getLeft().getText() === local.getText()).map((b) => (b.getOperatorToken().getText() === '=' ? b.getRight().getText() : '?')),
    ];
    return values.includes(`${readVar}.${p.getName()}`) && values.every((v) => v === `${readVar}.${p.getName()}` || v === 'null' || v === 'undefined');
  });
}

/**
 * The condition of an `if` (or `?:`) between the check and the write that decides whether the write runs and reads
 * another field of the row: an attempt counter bumped only when `row.code !== guess`. There the counter limits how
 * often that comparison runs, and a conditional write bounds the count, not the comparisons.
 */
function laterRowCheck(guard: IfStatement, update: Node, readVar: string, fields: Set<string>): string | undefined {
  for (let n = update.getParent(); n && n !== guard.getParent(); n = n.getParent()) {
    const cond = Node.isIfStatement(n) || Node.isConditionalExpression(n) ? (Node.isIfStatement(n) ? n.getExpression() : n.getCondition()) : undefined;
    if (cond && cond.getStart() > guard.getEnd() && referencedNames(cond).includes(readVar) && !looksAtCounter(cond, readVar, fields)) return cond.getText();
  }
  return undefined;
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

/** `row.field` for one of `fields`, as the expression itself or inside it. */
function looksAtCounter(e: Node, readVar: string, fields: Set<string>): boolean {
  const isCounter = (p: Node) => Node.isPropertyAccessExpression(p) && p.getExpression().getText() === readVar && fields.has(p.getName());
  return isCounter(e) || e.getDescendantsOfKind(SyntaxKind.PropertyAccessExpression).some(isCounter);
}

/** The rewrite, a human's reason, or undefined when no check looks at the counter (the atomic write is right). */
export function planGuardedAtomic(input: GuardedAtomicInput): Outcome | undefined {
  const { update, call, where, data, tx } = input;
  const fields = atomicFields(data);
  if (fields.size === 0) return undefined;
  // The check may sit in the handler around an interactive transaction's callback.
  const fn = tx?.kind === 'interactive' ? enclosingFunction(tx.call) : enclosingFunction(update);
  if (!fn) return undefined;
  const reads = fn.getDescendantsOfKind(SyntaxKind.CallExpression).filter((c) => {
    const r = prismaCall(c);
    return c.getEnd() < update.getStart() && r?.model === call.model && ONE_ROW_READS.test(r.method);
  });
  for (const read of reads.reverse()) {
    const decl = read.getFirstAncestorByKind(SyntaxKind.VariableDeclaration);
    if (!decl || !Node.isIdentifier(decl.getNameNode())) continue;
    const readVar = decl.getName();
    const direct = { read, readDecl: decl, readVar, tainted: new Set([readVar]), readArgs: read.getArguments()[0]?.asKind(SyntaxKind.ObjectLiteralExpression), params: new Map<string, string>() };
    const named = sameRecord(direct, where);
    if (!named && !keyedThroughLocals(fn, readVar, where)) continue;
    const guards = fn
      .getDescendantsOfKind(SyntaxKind.IfStatement)
      .filter((g) => g.getStart() > read.getEnd() && g.getEnd() < update.getStart() && looksAtCounter(g.getExpression(), readVar, fields));
    if (!guards.length) return undefined;
    const outcome = rewrite(input, fn, readVar, guards, fields);
    // Through a local, which row the key holds on every path is not proven here: say what to write instead.
    if (outcome.kind === 'edit' && !named) return human(`${outcome.message.split(' (')[0]}; the write names ${readVar} through ${where.getText()}, not ${readVar} itself: make it conditional (updateMany with the check in its where, count checked) by hand`);
    return outcome;
  }
  return undefined;
}

function rewrite(input: GuardedAtomicInput, fn: Node, readVar: string, guards: IfStatement[], fields: Set<string>): Outcome {
  const { label, update } = input;
  const field = [...fields].join(', ');
  const because = `${label} changes ${field} atomically, but only after checking ${readVar}.${field} read earlier: two requests can both pass the check`;
  if (guards.length > 1) return human(`${because}, and ${field} is checked more than once: make the write one conditional updateMany by hand`);
  const guard = guards[0]!;
  const exit = exitOf(guard);
  if (!exit) return human(`${because}; the check \`${guard.getExpression().getText()}\` does not end in a return or throw: make the write conditional (updateMany with the check in its where, count checked) by hand`);
  const filters = negate(guard.getExpression(), readVar, fields);
  if (typeof filters === 'string') return human(`${because}; ${filters}: make the write conditional by hand`);
  if (filters.length === 0) return human(`${because}; the check's shape cannot be moved into the where: make the write conditional by hand`);
  const decidedBy = laterRowCheck(guard, update, readVar, fields);
  if (decidedBy) {
    return human(`${because}, and the write runs only when the later check \`${decidedBy}\` of ${readVar} holds: concurrent requests all pass the bound before any of them is counted, so that check runs without a limit. Count first (a conditional updateMany with the bound in its where, count checked), then check — by hand`);
  }
  return conditionalWrite(input, fn, guard, exit, filters, because, `${field} past its bound`);
}

/**
 * The write as one conditional `updateMany` holding `filters` (the check's negation) in its where, answering what
 * the check answers when no row matched; or a human's reason when that cannot be written safely here.
 */
export function conditionalWrite(input: GuardedAtomicInput, fn: Node, guard: IfStatement, exit: Statement, filters: Filter[], because: string, outcome: string): Outcome {
  const { update, call, where, tx, reserved } = input;
  const block = guard.getParent();
  if (!block || !(Node.isBlock(block) || Node.isSourceFile(block)) || !(update.getStart() > block.getStart() && update.getEnd() <= block.getEnd())) {
    return human(`${because}; the check does not run on every path to the write: make the write conditional by hand`);
  }
  if (enclosingFunction(update) !== enclosingFunction(guard)) {
    return human(`${because}; the check runs outside the callback that writes (a transaction's or a loop's), so its answer cannot be given there: make the write an updateMany with the check in its where, count checked, and throw to roll the transaction back`);
  }
  const awaited = update.getParent();
  const stmt = awaited && Node.isAwaitExpression(awaited) ? awaited.getParent() : undefined;
  if (!stmt || !Node.isExpressionStatement(stmt)) {
    return human(`${because}; the write's result is used, and a conditional updateMany returns only a count: make it conditional by hand`);
  }
  const exitNode = Node.isBlock(exit) ? exit.getStatements().at(-1)! : exit;
  if (tx?.kind === 'interactive' && !Node.isThrowStatement(exitNode)) {
    return human(`${because}; the write runs in a transaction, where answering with the check's return would commit what the callback wrote before it: make it conditional and throw by hand`);
  }
  for (const key of ['select', 'include', 'omit']) {
    if (call.args.getProperty(key)) return human(`${because}; the write has a ${key}, which updateMany does not take: make it conditional by hand`);
  }
  const whereProps = where.getProperties();
  const plain = (p: Node) => Node.isShorthandPropertyAssignment(p) || (Node.isPropertyAssignment(p) && !Node.isObjectLiteralExpression(p.getInitializer()));
  if (!whereProps.every(plain)) return human(`${because}; the where uses a compound or nested selector, which updateMany writes differently: make it conditional by hand`);
  if (filters.some((f) => where.getProperty(f.field))) return human(`${because}; the where already filters ${filters.map((f) => f.field).join(', ')}: make it conditional by hand`);
  // Another write of the model after the check may move the row on by design (a status set first, a second
  // decrement): the check's state need not hold at this write, and putting it in the where would refuse it.
  const otherWrite = fn.getDescendantsOfKind(SyntaxKind.CallExpression).find((c) => {
    if (c.getStart() <= guard.getEnd() || c.getEnd() >= update.getStart()) return false;
    const p = prismaCall(c);
    return (p?.model === call.model && /^(?:update|updateMany|upsert|delete|deleteMany)$/.test(p.method)) || /\$(?:executeRaw|queryRaw)(?:Unsafe)?$/.test(c.getExpression().getText());
  });
  if (otherWrite) return human(`${because}; \`${otherWrite.getExpression().getText()}\` at line ${otherWrite.getStartLineNumber()} writes between the check and this write, so the checked state need not hold here: make it conditional by hand`);
  const changed = changedBetween(fn, guard, update);
  const moved = [...filters.flatMap((f) => f.names), ...referencedNames(exit)].filter((n) => changed.has(n));
  if (moved.length) return human(`${because}; ${moved.map((n) => `\`${n}\``).join(', ')} may mean something else at the write than at the check: make it conditional by hand`);

  const eol = eolOf(update.getSourceFile());
  const indent = indentOf(stmt);
  const guardIndent = indentOf(guard);
  const matched = freshName(fn, 'matched', reserved);
  const addition = filters.map((f) => `${f.field}: ${f.text}`).join(', ');
  // The check's own answer, re-indented from the check's depth to the write's.
  const answer = exit.getText().split(/\r?\n/).map((line, i) => (i > 0 && line.startsWith(guardIndent) ? indent + line.slice(guardIndent.length) : line)).join(eol);
  const method = update.getExpression().asKindOrThrow(SyntaxKind.PropertyAccessExpression).getNameNode();
  const last = whereProps.at(-1);
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
