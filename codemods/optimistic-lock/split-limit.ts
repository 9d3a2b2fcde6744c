/**
 * A usage limit checked in one function and counted in another of the same module: `checkLimit()` reads the
 * count and compares it with the limit, `increaseLimit()` adds one. Callers check, do the work (often a model
 * call that takes seconds), then count, so concurrent requests all pass the check and overrun the limit. No one
 * write holds the check, so no edit can add it there: the fix is a reservation taken before the work. Reported.
 */
import { Node, SyntaxKind, ts, type SourceFile } from 'ts-morph';
import { referencedNames } from '../ast.ts';
import { descendantsOfKind } from '../lib/descendants.ts';
import { ONE_ROW_READS, objectProp, prismaCall } from './query.ts';

const COMPARE = /^(?:<|<=|>|>=)$/;

interface Named {
  name: string;
  fn: Node;
}

/** The module's top-level functions: `function f() {}` and `const f = async () => {}`. */
function moduleFunctions(sf: SourceFile): Named[] {
  const out: Named[] = sf.getFunctions().flatMap((f) => (f.getName() ? [{ name: f.getName()!, fn: f as Node }] : []));
  for (const v of sf.getVariableDeclarations()) {
    const init = v.getInitializer();
    if (init && (Node.isArrowFunction(init) || Node.isFunctionExpression(init))) out.push({ name: v.getName(), fn: init });
  }
  return out;
}

/** `row.field <op> bound` on a row this function read from `model`: the check, by model and field. */
function limitChecks(fn: Node): Array<{ model: string; field: string; node: Node }> {
  const out: Array<{ model: string; field: string; node: Node }> = [];
  // Only `x.model.findUnique(…)`-shaped calls and comparisons are wrapped (prismaCall's shape, COMPARE).
  const oneRowRead = (n: ts.Node) => ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && ts.isPropertyAccessExpression(n.expression.expression) && ONE_ROW_READS.test(n.expression.name.getText());
  const comparison = (n: ts.Node) => ts.isBinaryExpression(n) && COMPARE.test(n.operatorToken.getText());
  for (const read of descendantsOfKind(fn, SyntaxKind.CallExpression, oneRowRead)) {
    const call = prismaCall(read);
    const decl = read.getFirstAncestorByKind(SyntaxKind.VariableDeclaration);
    if (!call || !ONE_ROW_READS.test(call.method) || !decl || !Node.isIdentifier(decl.getNameNode())) continue;
    const row = decl.getName();
    for (const b of descendantsOfKind(fn, SyntaxKind.BinaryExpression, comparison)) {
      if (b.getStart() < read.getEnd() || !COMPARE.test(b.getOperatorToken().getText())) continue;
      const [l, r] = [b.getLeft(), b.getRight()];
      const side = [l, r].find((e) => Node.isPropertyAccessExpression(e) && e.getExpression().getText() === row);
      const bound = side === l ? r : l;
      if (side && Node.isPropertyAccessExpression(side) && !referencedNames(bound).includes(row)) out.push({ model: call.model, field: side.getName(), node: b });
    }
  }
  return out;
}

/** Fields of `model` this function adds to: `{ f: { increment: n } }` or `f: row.f + n` in an update or upsert. */
function countedFields(fn: Node, model: string): Set<string> {
  const out = new Set<string>();
  const prismaWrite = (n: ts.Node) => ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && ts.isPropertyAccessExpression(n.expression.expression);
  for (const c of descendantsOfKind(fn, SyntaxKind.CallExpression, prismaWrite)) {
    const call = prismaCall(c);
    if (!call?.args || call.model !== model || !/^(?:update|updateMany|upsert)$/.test(call.method)) continue;
    for (const key of ['data', 'update']) {
      const data = objectProp(call.args, key);
      if (!data || !Node.isObjectLiteralExpression(data)) continue;
      for (const p of data.getProperties()) {
        if (!Node.isPropertyAssignment(p)) continue;
        const v = p.getInitializerOrThrow();
        const text = v.getText().replace(/\s+/g, '');
        if (/^\{increment:/.test(text) || new RegExp(`^\\w+\\.${p.getName()}\\+`).test(text)) out.add(p.getName());
      }
    }
  }
  return out;
}

/** Each check of a limit whose counting lives in another function of the module, with why it races. */
export function splitLimitChecks(sf: SourceFile): Array<{ node: Node; reason: string }> {
  const functions = moduleFunctions(sf);
  const out: Array<{ node: Node; reason: string }> = [];
  for (const checker of functions) {
    for (const check of limitChecks(checker.fn)) {
      // A function that both checks and counts is the read-modify-write case, planned at its write.
      if (countedFields(checker.fn, check.model).has(check.field)) continue;
      const counter = functions.find((f) => f !== checker && countedFields(f.fn, check.model).has(check.field));
      if (!counter) continue;
      out.push({
        node: check.node,
        reason:
          `${checker.name}() checks ${check.model}.${check.field} (\`${check.node.getText()}\`) and ${counter.name}() adds to it separately: ` +
          `callers that check, do the work, then count let concurrent requests all pass the check, so the limit is overrun. ` +
          `Reserve the use in one conditional write before the work (updateMany with ${check.field} within the limit in its where, count checked; ` +
          `upsert for a first use) and give it back if the work fails — by hand`,
      });
    }
  }
  return out;
}
