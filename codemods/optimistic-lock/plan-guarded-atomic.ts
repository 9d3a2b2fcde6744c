/**
 * Check-then-act with an atomic write: `if (user.credits < cost) return 402; … update({ data: { credits:
 * { decrement: cost } } })`. The decrement itself is atomic, but the check ran on a value read earlier, so two
 * requests can both pass it (negative credits, an oversold stock, a usage limit overrun). The write becomes one
 * conditional `updateMany` whose where also holds the check's negation, and when no row matched it answers what
 * the check answers. The check stays where it is: without a race nothing changes.
 */
import { Node, SyntaxKind, type CallExpression, type Expression, type IfStatement, type ObjectLiteralExpression, type PropertyAccessExpression, type Statement } from 'ts-morph';
import { enclosingFunction, referencedNames } from '../ast.ts';
import { conditionalWrite, type Filter, type GuardedAtomicInput } from './conditional-write.ts';
import { human, type Outcome } from './plan.ts';
import { ONE_ROW_READS, prismaCall } from './query.ts';
import { isFixedState, sameRecord } from './read-modify-write.ts';

export type { Filter, GuardedAtomicInput } from './conditional-write.ts';


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
 * A check between the bound and the write that decides whether the write runs and compares another field of the
 * row with what the request sent: an attempt counter bumped only when `row.code !== guess` (around the write, an
 * early `if (row.code === guess) return ok` before it, or through a local `const ok = row.code === guess`). There
 * the counter limits how often that comparison runs, and a conditional write bounds the count, not the comparisons.
 */
function laterRowCheck(guard: IfStatement, update: Node, readVar: string, fields: Set<string>): string | undefined {
  const fn = enclosingFunction(update);
  const after = (n: Node) => n.getStart() > guard.getEnd() && n.getEnd() < update.getStart();
  for (let n = update.getParent(); n && n !== guard.getParent(); n = n.getParent()) {
    const cond = Node.isIfStatement(n) ? n.getExpression() : Node.isConditionalExpression(n) ? n.getCondition() : undefined;
    if (!cond || cond.getStart() <= guard.getEnd() || looksAtCounter(cond, readVar, fields)) continue;
    if (referencedNames(cond).includes(readVar) || (fn && comparesRowWithInput(cond, fn, readVar, fields))) return cond.getText();
  }
  for (const g of fn?.getDescendantsOfKind(SyntaxKind.IfStatement) ?? []) {
    if (after(g) && exitOf(g) && !looksAtCounter(g.getExpression(), readVar, fields) && comparesRowWithInput(g.getExpression(), fn!, readVar, fields)) return g.getExpression().getText();
  }
  return undefined;
}

const SECRET_FIELD = /code|otp|pin|token|secret|answer|password|hash/i;

/** `row.code === guess` in the condition or in the initializer of a local it reads: a row field against a value of the request's. */
function comparesRowWithInput(cond: Node, fn: Node, readVar: string, fields: Set<string>): boolean {
  const locals = referencedNames(cond).flatMap((name) => fn.getDescendantsOfKind(SyntaxKind.VariableDeclaration).filter((d) => d.getName() === name).map((d) => d.getInitializer()).filter((i): i is Expression => i !== undefined));
  return [cond, ...locals].some((e) =>
    [e, ...e.getDescendantsOfKind(SyntaxKind.BinaryExpression)].some((b) => {
      if (!Node.isBinaryExpression(b) || !/^[!=]==?$/.test(b.getOperatorToken().getText())) return false;
      const [l, r] = [unwrap(b.getLeft()), unwrap(b.getRight())];
      // A secret the request guesses at (a code, a token); an owner or plan comparison is an ordinary check.
      const rowSide = [l, r].find((x) => Node.isPropertyAccessExpression(x) && x.getExpression().getText() === readVar && !fields.has(x.getName()) && SECRET_FIELD.test(x.getName()));
      const other = rowSide === l ? r : l;
      return rowSide !== undefined && !referencedNames(other).includes(readVar) && !isFixedState(other) && !/^(?:null|undefined|true|false|-?\d+)$/.test(other.getText());
    }),
  );
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
    const outcome = rewrite(input, fn, { read, readVar }, guards, fields);
    // Through a local, which row the key holds on every path is not proven here: say what to write instead.
    // (A key through a local is also one the rewrite cannot prove defined: that reason is this one.)
    const throughLocal = outcome.kind === 'edit' || (outcome.kind === 'human' && outcome.reason.includes('is not proven to hold a value'));
    if (throughLocal && !named) return human(`${(outcome.kind === 'edit' ? outcome.message : outcome.reason).split(/ \(|; /)[0]}; the write names ${readVar} through ${where.getText()}, not ${readVar} itself: make it conditional (updateMany with the check in its where, count checked) by hand`);
    return outcome;
  }
  return undefined;
}

function rewrite(input: GuardedAtomicInput, fn: Node, row: { read: CallExpression; readVar: string }, guards: IfStatement[], fields: Set<string>): Outcome {
  const { readVar } = row;
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
  return conditionalWrite(input, fn, row, guard, exit, filters, because, `${field} past its bound`, { appCallsBetween: true });
}
