/**
 * Arithmetic read-modify-write: `data: { total: r.total + x }` where nothing else looked at `total` becomes
 * `{ total: { increment: x } }`: the database does the addition, so no lock is needed.
 */
import { Node, type PropertyAssignment } from 'ts-morph';
import { referencedNames } from '../ast.ts';
import { atomicMessage } from './messages.ts';
import type { Outcome } from './plan.ts';
import type { Decision, ReadModifyWrite } from './read-modify-write.ts';
import { isRequiredNumber, type ModelInfo } from './schema.ts';

/** The atomic rewrite, or undefined when some derived field is not plain `r.f ± x` of its own required number column. */
export function planAtomic(label: string, data: Node, rmw: ReadModifyWrite, decision: Decision, info: ModelInfo): Outcome | undefined {
  if (!Node.isObjectLiteralExpression(data) || decision.wholeObject) return undefined;
  const { readVar, tainted } = rmw;
  const derived = data.getProperties().filter((p) => !Node.isPropertyAssignment(p) || referencedNames(p.getInitializerOrThrow()).some((n) => tainted.has(n)));
  if (derived.length === 0) return undefined;
  const clean = (n: Node) => !referencedNames(n).some((x) => tainted.has(x));
  const ops: Array<{ p: PropertyAssignment; text: string }> = [];
  for (const p of derived) {
    // `+` also joins text, and NULL + x stays NULL in the database: only required number columns qualify.
    const op = Node.isPropertyAssignment(p) && isRequiredNumber(info, p.getName()) ? atomicOp(p, readVar, clean, decision) : undefined;
    if (!op) return undefined;
    ops.push({ p: p as PropertyAssignment, text: op });
  }
  return {
    kind: 'edit',
    edits: ops.map((a) => ({ start: a.p.getInitializerOrThrow().getStart(), end: a.p.getInitializerOrThrow().getEnd(), text: a.text })),
    imports: [],
    message: atomicMessage(label, derived.map((p) => p.getText()), ops.map((a) => a.text)),
  };
}

/** `r.f + x`, `x + r.f`, `r.f - x` (x not derived from r) on a field no check looked at → `{ increment | decrement: x }`. */
function atomicOp(p: PropertyAssignment, readVar: string, clean: (n: Node) => boolean, decision: Decision): string | undefined {
  const init = p.getInitializerOrThrow();
  if (!Node.isBinaryExpression(init) || decision.guardedFields.has(p.getName())) return undefined;
  const op = init.getOperatorToken().getText();
  const self = `${readVar}.${p.getName()}`;
  const l = init.getLeft();
  const r = init.getRight();
  if (op === '+' && l.getText() === self && clean(r)) return `{ increment: ${r.getText()} }`;
  if (op === '+' && r.getText() === self && clean(l)) return `{ increment: ${l.getText()} }`;
  if (op === '-' && l.getText() === self && clean(r)) return `{ decrement: ${r.getText()} }`;
  return undefined;
}
