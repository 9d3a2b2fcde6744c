/**
 * Finding a read-modify-write: a value read earlier in the same function from the same record flows into the
 * update's `data`. Anything else is a blind write (the request's data replaces the row's), left alone by default.
 */
import { Node, SyntaxKind, type CallExpression, type IfStatement, type ObjectLiteralExpression, type VariableDeclaration } from 'ts-morph';
import { referencedNames } from '../ast.ts';
import { derivedNames } from '../lib/derived-names.ts';
import { helperRead } from './helpers.ts';
import { ONE_ROW_READS, objectProp, prismaCall, propMap } from './query.ts';

export interface ReadModifyWrite {
  read: CallExpression;
  readDecl: VariableDeclaration;
  readVar: string;
  /** readVar and the locals computed from it before the update (`const next = NEXT[order.status]`). */
  tainted: Set<string>;
  /** The Prisma read's argument object (inside the helper when the read is a same-module helper call). */
  readArgs?: ObjectLiteralExpression;
  /** A read helper's parameters → the arguments of this call (empty for a direct read). */
  params: Map<string, string>;
  /** Set for a state transition: the check on the written field that ends the request (findGuardedTransition). */
  transitionGuard?: IfStatement;
  /** Set when the row is an element of an included relation (`cart.lines`), not a read of its own. */
  viaRelation?: string;
}

/** The latest earlier read of the same model whose value (directly or through locals) feeds the update's data. */
export function findReadModifyWrite(fn: Node, update: CallExpression, model: string, data: Node): ReadModifyWrite | undefined {
  const reads = fn.getDescendantsOfKind(SyntaxKind.CallExpression).filter((c) => {
    const call = prismaCall(c);
    return c.getStart() < update.getStart() && ((call !== undefined && call.model === model && ONE_ROW_READS.test(call.method)) || helperRead(c, model) !== undefined);
  });
  for (const read of reads.reverse()) {
    const helper = helperRead(read, model);
    const readDecl = read.getFirstAncestorByKind(SyntaxKind.VariableDeclaration);
    if (!readDecl || !Node.isIdentifier(readDecl.getNameNode())) continue;
    const readVar = readDecl.getName();
    // readVar and the locals computed from it (`const next = NEXT[order.status]`).
    // What another server answered is not the row: a status recorded after calling out (a webhook test's
    // lastStatus) is a plain write, even though the call was addressed with the row's fields.
    const tainted = derivedNames(fn, (init) => init.getStart() <= read.getStart() && read.getEnd() <= init.getEnd(), undefined, (init) => /^await\s+fetch\s*\(/.test(init.getText()));
    const readArgs = (helper?.inner ?? read).getArguments()[0]?.asKind(SyntaxKind.ObjectLiteralExpression);
    if (referencedNames(data).some((n) => tainted.has(n))) return { read, readDecl, readVar, tainted, readArgs, params: helper?.args ?? new Map() };
  }
  return undefined;
}

/** The update's `where` names the record that was read: `{ id: order.id }`, or the same filter the read used. */
export function sameRecord(rmw: ReadModifyWrite, where: ObjectLiteralExpression): boolean {
  if (referencedNames(where).includes(rmw.readVar)) return true;
  const readWhere = objectProp(rmw.readArgs, 'where')?.asKind(SyntaxKind.ObjectLiteralExpression);
  const inHelper = readWhere && propMap(readWhere);
  // `user.id!` is `user.id`: a non-null assertion changes the type, not the value.
  const plain = (v: string) => v.replace(/\s+/g, '').replace(/!$/, '');
  const a = inHelper && new Map([...inHelper].map(([k, v]) => [k, plain(rmw.params.get(v) ?? v)]));
  const b = propMap(where);
  return Boolean(a && b && b.size > 0 && [...b].every(([k, v]) => a.get(k) === plain(v)));
}

/** The name of an earlier one-row read of `model` that the update's `where` names (`me` in `where: { id: me.id }`). */
export function readOfWrittenRow(fn: Node, update: CallExpression, model: string, where: ObjectLiteralExpression): string | undefined {
  for (const read of fn.getDescendantsOfKind(SyntaxKind.CallExpression)) {
    const call = prismaCall(read);
    if (read.getEnd() >= update.getStart() || call?.model !== model || !ONE_ROW_READS.test(call.method)) continue;
    const readDecl = read.getFirstAncestorByKind(SyntaxKind.VariableDeclaration);
    if (!readDecl || !Node.isIdentifier(readDecl.getNameNode())) continue;
    const rmw: ReadModifyWrite = { read, readDecl, readVar: readDecl.getName(), tainted: new Set([readDecl.getName()]), readArgs: call.args, params: new Map() };
    if (sameRecord(rmw, where)) return rmw.readVar;
  }
  return undefined;
}

export interface Decision {
  /** Fields of the read value looked at between the read and the write (the decision's inputs). */
  fieldsRead: Set<string>;
  /** Of those, the ones looked at outside `data` (checked in an `if`, used to compute a local …). */
  guardedFields: Set<string>;
  /** The read value was handed whole to other code (a helper, a spread): which fields mattered is unknown. */
  wholeObject: boolean;
}

/** What the write's decision was based on: every `readVar.field` between the read and the end of the update. */
export function decisionOf(fn: Node, rmw: ReadModifyWrite, update: CallExpression, data: Node): Decision {
  const { read, readVar } = rmw;
  const inRange = (n: Node) => n.getStart() > read.getEnd() && n.getEnd() <= update.getEnd();
  const uses = fn.getDescendantsOfKind(SyntaxKind.Identifier).filter((id) => {
    if (id.getText() !== readVar || !inRange(id)) return false;
    const parent = id.getParent();
    // `db.order.update`: a property called like the variable is not the variable.
    return !(parent && (Node.isPropertyAccessExpression(parent) || Node.isPropertyAssignment(parent)) && parent.getNameNode() === id);
  });
  const fieldsRead = new Set<string>();
  const guardedFields = new Set<string>();
  let wholeObject = false;
  const inData = (n: Node) => n.getStart() >= data.getStart() && n.getEnd() <= data.getEnd();
  for (const id of uses) {
    const parent = id.getParentOrThrow();
    if (Node.isPropertyAccessExpression(parent) && parent.getExpression() === id) {
      fieldsRead.add(parent.getName());
      if (!inData(id)) guardedFields.add(parent.getName());
    } else if (isNullCheck(parent, id)) continue; // if (!order), order === null
    else wholeObject = true;
  }
  return { fieldsRead, guardedFields, wholeObject };
}

function isNullCheck(parent: Node, id: Node): boolean {
  if (Node.isPrefixUnaryExpression(parent) && parent.getOperatorToken() === SyntaxKind.ExclamationToken) return true;
  if (Node.isIfStatement(parent) && parent.getExpression() === id) return true;
  if (!Node.isBinaryExpression(parent) || !/^[!=]==?$/.test(parent.getOperatorToken().getText())) return false;
  return /^(?:null|undefined)$/.test((parent.getLeft() === id ? parent.getRight() : parent.getLeft()).getText());
}

/**
 * A state transition: nothing read feeds the data, but a check on the read row's field ends the request
 * (`if (order.status !== 'pending') return 400`) before the write sets that same field (`status: 'cancelled'`).
 * Two requests both pass the check and both run the transition (a cancel that restocks twice). Only a check on a
 * field the write itself sets counts: an owner check before a blind edit is not a transition.
 */
export function findGuardedTransition(fn: Node, update: CallExpression, model: string, data: Node, where: ObjectLiteralExpression): ReadModifyWrite | undefined {
  if (!Node.isObjectLiteralExpression(data)) return undefined;
  // The field is set to a fixed state (`'cancelled'`, `OrderStatus.CANCELLED`), not to a value from the request.
  const written = new Set(data.getProperties().flatMap((p) => (Node.isPropertyAssignment(p) && isFixedState(p.getInitializerOrThrow()) ? [p.getName()] : [])));
  const reads = fn.getDescendantsOfKind(SyntaxKind.CallExpression).filter((c) => {
    const call = prismaCall(c);
    return c.getEnd() < update.getStart() && call !== undefined && call.model === model && ONE_ROW_READS.test(call.method);
  });
  for (const read of reads.reverse()) {
    const readDecl = read.getFirstAncestorByKind(SyntaxKind.VariableDeclaration);
    if (!readDecl || !Node.isIdentifier(readDecl.getNameNode()) || readDecl.getInitializer()?.getText().replace(/^await\s+/, '') !== read.getText()) continue;
    const readVar = readDecl.getName();
    const rmw: ReadModifyWrite = { read, readDecl, readVar, tainted: new Set([readVar]), readArgs: read.getArguments()[0]?.asKind(SyntaxKind.ObjectLiteralExpression), params: new Map() };
    if (!sameRecord(rmw, where)) continue;
    // `row.status !== 'pending'` (or `===`): the check compares the field the write sets with a fixed state.
    const checksWritten = (cond: Node) =>
      [cond, ...cond.getDescendantsOfKind(SyntaxKind.BinaryExpression)].some((b) => {
        if (!Node.isBinaryExpression(b) || !/^[!=]==?$/.test(b.getOperatorToken().getText())) return false;
        const [l, r] = [b.getLeft(), b.getRight()];
        const isField = (e: Node) => Node.isPropertyAccessExpression(e) && e.getExpression().getText() === readVar && written.has(e.getName());
        return (isField(l) && isFixedState(r)) || (isField(r) && isFixedState(l));
      });
    const guard = fn.getDescendantsOfKind(SyntaxKind.IfStatement).find((g) => {
      const block = g.getParent();
      const then = g.getThenStatement();
      const last = Node.isBlock(then) ? then.getStatements().at(-1) : then;
      return g.getStart() > read.getEnd() && g.getEnd() < update.getStart() && !g.getElseStatement() && checksWritten(g.getExpression())
        && last !== undefined && (Node.isReturnStatement(last) || Node.isThrowStatement(last))
        && block !== undefined && Node.isBlock(block) && update.getStart() > block.getStart() && update.getEnd() <= block.getEnd();
    });
    if (guard) return { ...rmw, transitionGuard: guard };
  }
  return undefined;
}

/** A string literal or an enum-like member (`OrderStatus.PENDING`): a state, not a value computed at run time. */
export function isFixedState(e: Node): boolean {
  if (Node.isStringLiteral(e) || Node.isNoSubstitutionTemplateLiteral(e)) return true;
  return Node.isPropertyAccessExpression(e) && /^[A-Z]\w*$/.test(e.getExpression().getText()) && /^[A-Z][A-Z0-9_]*$/.test(e.getName());
}
