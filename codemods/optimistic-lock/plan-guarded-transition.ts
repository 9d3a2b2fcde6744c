/**
 * A state transition outside a route handler (a server action, a library function): `if (w.status !== 'DRAFT')
 * throw new Error(…)`, then `update({ data: { status: 'PUBLISHED' } })`. Two calls both pass the check and both run
 * the transition. A compare-and-set there would throw a ConflictError its callers were not written for; the
 * conditional write answers what the check answers (its own throw or return) when another call got there first,
 * so callers see nothing new and the check now holds.
 */
import { Node, type IfStatement } from 'ts-morph';
import { enclosingFunction, referencedNames } from '../ast.ts';
import { conditionalWrite, disjuncts, exitOf, isMissingRow, unwrap, type Filter, type GuardedAtomicInput } from './plan-guarded-atomic.ts';
import type { Outcome } from './plan.ts';
import { isFixedState, type ReadModifyWrite } from './read-modify-write.ts';
import type { ModelInfo } from './schema.ts';

/** The rewrite, a human's reason, or undefined when the check is not a plain state comparison. */
export function planGuardedTransition(input: GuardedAtomicInput, rmw: ReadModifyWrite, guard: IfStatement, info: ModelInfo): Outcome | undefined {
  const { readVar } = rmw;
  const exit = exitOf(guard);
  const fn = input.tx?.kind === 'interactive' ? enclosingFunction(input.tx.call) : enclosingFunction(input.update);
  if (!exit || !fn || !Node.isObjectLiteralExpression(input.data)) return undefined;
  const written = new Set(input.data.getProperties().flatMap((p) => (Node.isPropertyAssignment(p) ? [p.getName()] : [])));
  const filters = stateFilters(guard.getExpression(), readVar, written, info);
  if (!filters?.length) return undefined;
  const fields = filters.map((f) => f.field).join(', ');
  const because = `${input.label} sets ${fields} only after checking ${readVar}.${fields} read earlier: two calls can both pass the check and both run the transition`;
  return conditionalWrite(input, fn, guard, exit, filters, because, 'the transition ran twice');
}

/**
 * The check's negation on the written fields: `row.status !== 'DRAFT'` → `status: 'DRAFT'`, `row.status === 'DONE'`
 * → `status: { not: 'DONE' }`. Parts that do not look at a written field keep guarding as before; any other shape
 * on a written field gives undefined.
 */
function stateFilters(cond: Node, readVar: string, written: Set<string>, info: ModelInfo): Filter[] | undefined {
  const out: Filter[] = [];
  const isWrittenField = (e: Node) => Node.isPropertyAccessExpression(e) && e.getExpression().getText() === readVar && written.has(e.getName());
  for (const d of disjuncts(cond)) {
    if (isMissingRow(d, readVar)) continue;
    const onWritten = [d, ...d.getDescendants()].some(isWrittenField);
    if (!onWritten) continue;
    if (!Node.isBinaryExpression(d)) return undefined;
    const op = d.getOperatorToken().getText();
    const [l, r] = [unwrap(d.getLeft()), unwrap(d.getRight())];
    const [field, value] = isWrittenField(l) ? [l, r] : isWrittenField(r) ? [r, l] : [undefined, undefined];
    if (!field || !value || !Node.isPropertyAccessExpression(field) || !isFixedState(value) || !/^[!=]==$/.test(op)) return undefined;
    // `{ not: x }` is SQL's `<>`, false on NULL, where the check in JavaScript passed a null: only on required fields.
    if (op === '===' && (!info.fields?.has(field.getName()) || info.optional?.has(field.getName()))) return undefined;
    out.push({ field: field.getName(), text: op === '!==' ? value.getText() : `{ not: ${value.getText()} }`, names: referencedNames(value) });
  }
  return new Set(out.map((f) => f.field)).size === out.length ? out : undefined;
}
