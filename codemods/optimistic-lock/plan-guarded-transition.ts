/**
 * A state transition outside a route handler (a server action, a library function): `if (w.status !== 'DRAFT')
 * throw new Error(…)`, then `update({ data: { status: 'PUBLISHED' } })`. Two calls both pass the check and both run
 * the transition. A compare-and-set there would throw a ConflictError its callers were not written for; the
 * conditional write answers what the check answers (its own throw or return) when another call got there first,
 * so callers see nothing new and the check now holds.
 */
import { Node, SyntaxKind, type IfStatement, type PropertyAccessExpression } from 'ts-morph';
import { enclosingFunction, referencedNames } from '../ast.ts';
import { conditionalWrite, type Filter, type GuardedAtomicInput } from './conditional-write.ts';
import { disjuncts, exitOf, isMissingRow, unwrap } from './plan-guarded-atomic.ts';
import type { Outcome } from './plan.ts';
import { ONE_ROW_READS, dataKeys, prismaCall } from './query.ts';
import { isFixedState, sameRecord, type ReadModifyWrite } from './read-modify-write.ts';
import { notScalarWritable, type ModelInfo } from './schema.ts';

/** The rewrite, a human's reason, or undefined when the check is not a plain state comparison. */
export function planGuardedTransition(input: GuardedAtomicInput, rmw: ReadModifyWrite, guard: IfStatement, info: ModelInfo): Outcome | undefined {
  const { readVar } = rmw;
  const exit = exitOf(guard);
  const fn = input.tx?.kind === 'interactive' ? enclosingFunction(input.tx.call) : enclosingFunction(input.update);
  const keys = dataKeys(input.data);
  // updateMany takes scalar fields only: a nested write (connect, create) keeps the plan it had.
  if (!exit || !fn || !keys || notScalarWritable(info, keys).length) return undefined;
  const written = new Set(keys);
  const filters = stateFilters(guard.getExpression(), readVar, (f) => written.has(f), info, true);
  if (!filters?.length) return undefined;
  // Only one check of the written field can go into the where: with a second (=== 'cancelled', then !== 'paid') the
  // other would still race.
  const checksOfField = fn.getDescendantsOfKind(SyntaxKind.IfStatement).filter((g) => g.getStart() > rmw.read.getEnd() && g.getEnd() < input.update.getStart() && filters.some((f) => g.getExpression().getText().includes(`${readVar}.${f.field}`)));
  if (checksOfField.length !== 1) return undefined;
  const fields = filters.map((f) => f.field).join(', ');
  const because = `${input.label} sets ${fields} only after checking ${readVar}.${fields} read earlier: two calls can both pass the check and both run the transition`;
  return conditionalWrite(input, fn, { read: rmw.read, readVar }, guard, exit, filters, because, 'the transition ran twice', { appCallsBetween: false });
}

/**
 * A write that reads nothing from the row but runs only in a state the row was checked to be in (`if
 * (w.status !== DRAFT) throw …`, then the draft's definition is saved). A concurrent request can move the row out
 * of that state in between (publish it), and the write lands anyway. The state goes into the write's where and the
 * check's own answer is given when the row has moved on. Undefined when no single such check precedes the write.
 */
export function planStateGuardedWrite(input: GuardedAtomicInput, info: ModelInfo): Outcome | undefined {
  const { update, call, where } = input;
  const fn = input.tx?.kind === 'interactive' ? enclosingFunction(input.tx.call) : enclosingFunction(update);
  const keys = dataKeys(input.data);
  if (!fn || !keys || notScalarWritable(info, keys).length) return undefined;
  const reads = fn.getDescendantsOfKind(SyntaxKind.CallExpression).filter((c) => {
    const r = prismaCall(c);
    return c.getEnd() < update.getStart() && r?.model === call.model && ONE_ROW_READS.test(r.method);
  });
  const read = reads.reverse().find((r) => {
    const decl = r.getFirstAncestorByKind(SyntaxKind.VariableDeclaration);
    return decl && Node.isIdentifier(decl.getNameNode()) && sameRecord({ read: r, readDecl: decl, readVar: decl.getName(), tainted: new Set(), readArgs: r.getArguments()[0]?.asKind(SyntaxKind.ObjectLiteralExpression), params: new Map() }, where);
  });
  const readVar = read?.getFirstAncestorByKindOrThrow(SyntaxKind.VariableDeclaration).getName();
  if (!read || !readVar) return undefined;
  const guards = fn.getDescendantsOfKind(SyntaxKind.IfStatement).filter((g) => {
    const block = g.getParent();
    return g.getStart() > read.getEnd() && g.getEnd() < update.getStart() && exitOf(g) !== undefined && block !== undefined && Node.isBlock(block)
      && update.getStart() > block.getStart() && update.getEnd() <= block.getEnd() && (stateFilters(g.getExpression(), readVar, () => true, info, false)?.length ?? 0) > 0;
  });
  if (guards.length !== 1) return undefined;
  const guard = guards[0]!;
  const filters = stateFilters(guard.getExpression(), readVar, () => true, info, false)!;
  const fields = filters.map((f) => f.field).join(', ');
  const because = `${input.label} runs only after checking ${readVar}.${fields} read earlier: a concurrent request can change ${fields} in between, and the write lands in a state the check forbids`;
  const outcome = conditionalWrite(input, fn, { read, readVar }, guard, exitOf(guard)!, filters, because, `written after ${fields} changed`, { appCallsBetween: false });
  // A write that sets the checked field itself is a transition two requests can both make: a human must see it.
  // Otherwise the race is narrower (the write lands in a state the check forbids): say why it stays, do not fail.
  if (outcome.kind !== 'human' || filters.some((f) => keys.includes(f.field))) return outcome;
  return { kind: 'leave', note: outcome.reason };
}

/**
 * The check's negation as where filters: `row.status !== 'DRAFT'` → `status: 'DRAFT'`, `row.status === 'DONE'` →
 * `status: { not: 'DONE' }`, for the fields `tracked` names. Parts that do not look at such a field keep guarding
 * as before. Another comparison of a tracked field gives undefined when `strict`, and keeps guarding otherwise
 * (an owner check, `row.ownerId !== me`, is not a state that races).
 */
function stateFilters(cond: Node, readVar: string, tracked: (field: string) => boolean, info: ModelInfo, strict: boolean): Filter[] | undefined {
  const out: Filter[] = [];
  const isTracked = (e: Node) => Node.isPropertyAccessExpression(e) && e.getExpression().getText() === readVar && tracked(e.getName());
  for (const d of disjuncts(cond)) {
    if (isMissingRow(d, readVar)) continue;
    if (![d, ...d.getDescendants()].some(isTracked)) continue;
    const op = Node.isBinaryExpression(d) ? d.getOperatorToken().getText() : '';
    const [l, r] = Node.isBinaryExpression(d) ? [unwrap(d.getLeft()), unwrap(d.getRight())] : [d, d];
    const [field, value] = isTracked(l) ? [l, r] : isTracked(r) ? [r, l] : [undefined, undefined];
    const plain = field && value && Node.isPropertyAccessExpression(field) && isFixedState(value) && /^[!=]==$/.test(op);
    if (!plain) {
      if (strict) return undefined;
      continue;
    }
    const name = (field as PropertyAccessExpression).getName();
    // `{ not: x }` is SQL's `<>`, false on NULL, where the check in JavaScript passed a null: only on required fields.
    if (op === '===' && (!info.fields?.has(name) || info.optional?.has(name))) return undefined;
    out.push({ field: name, text: op === '!==' ? value!.getText() : `{ not: ${value!.getText()} }`, names: referencedNames(value!) });
  }
  return new Set(out.map((f) => f.field)).size === out.length ? out : undefined;
}
