/**
 * Stock checked on many rows, then changed per item: `const products = await db.product.findMany({ where: { id:
 * { in: ids } } })`, `if (product.stock < item.qty) return 400` for each item, then `update({ where: { id: item.id },
 * data: { stock: { decrement: item.qty } } })` in a loop or `Promise.all(items.map(…))`. Each decrement is atomic,
 * but the check ran on the rows read earlier (Read Committed, inside `$transaction` too), so two orders both pass
 * it and oversell. The fix is one conditional updateMany per item with the check in its where and the count
 * checked, throwing to roll the transaction back; which answer the request then gives, and how the loop ends, are
 * the app's to choose, so this is reported, never rewritten.
 */
import { Node, SyntaxKind, type CallExpression, type ObjectLiteralExpression } from 'ts-morph';
import { referencedNames } from '../ast.ts';
import { isFunctionLike } from '../lib/route-handler.ts';
import { prismaCall } from './query.ts';
import type { TransactionSite } from './transaction.ts';

const RELATIONAL = /^(?:<|<=|>|>=)$/;
const PER_ITEM = /^(?:map|forEach|flatMap)$/;

/** `field: { decrement: x }` → field → x (the atomic changes a data literal makes). */
function atomicSteps(data: Node): Map<string, { op: string; by: string }> {
  const out = new Map<string, { op: string; by: string }>();
  if (!Node.isObjectLiteralExpression(data)) return out;
  for (const p of data.getProperties()) {
    if (!Node.isPropertyAssignment(p)) continue;
    const init = p.getInitializer();
    if (!init || !Node.isObjectLiteralExpression(init)) continue;
    for (const q of init.getProperties()) {
      if (Node.isPropertyAssignment(q) && /^(?:increment|decrement)$/.test(q.getName())) out.set(p.getName(), { op: q.getName(), by: q.getInitializerOrThrow().getText() });
    }
  }
  return out;
}

/** Names bound per item around `update`: for-of variables and parameters of `.map`/`.forEach` callbacks. */
function perItemNames(update: Node, top: Node): Set<string> {
  const out = new Set<string>();
  for (let n: Node | undefined = update.getParent(); n && n !== top; n = n.getParent()) {
    if (Node.isForOfStatement(n)) for (const name of referencedNames(n.getInitializer())) out.add(name);
    const call = isFunctionLike(n) ? n.getParent() : undefined;
    const callee = call && Node.isCallExpression(call) ? call.getExpression() : undefined;
    if (callee && Node.isPropertyAccessExpression(callee) && PER_ITEM.test(callee.getName()) && (Node.isArrowFunction(n) || Node.isFunctionExpression(n))) {
      for (const p of n.getParameters()) out.add(p.getName());
    }
  }
  return out;
}

/**
 * The if-branches around `n` up to `top`, each as `then:<cond>` / `else:<cond>` with the per-item names written
 * `$`, so a check in a validation loop (`orderItem.color`) and a write in another loop (`item.color`) compare.
 */
function branchPath(n: Node, top: Node): string[] {
  const items = [...perItemNames(n, top)];
  const norm = (text: string) => (items.length ? text.replace(new RegExp(`\\b(?:${items.join('|')})\\b`, 'g'), '$') : text).replace(/\s+/g, ' ');
  const out: string[] = [];
  for (let child: Node = n, parent = n.getParent(); parent && child !== top; child = parent, parent = parent.getParent()) {
    if (Node.isIfStatement(parent) && child !== parent.getExpression()) out.push(`${child === parent.getThenStatement() ? 'then' : 'else'}:${norm(parent.getExpression().getText())}`);
  }
  return out;
}

/** The check runs only on a branch the write is not on (`if (color) check the variant, else check the product`). */
function otherBranch(guard: Node, update: Node, top: Node): boolean {
  const writePath = new Set(branchPath(update, top));
  return branchPath(guard, top).some((b) => writePath.has(b.startsWith('then:') ? `else:${b.slice(5)}` : `then:${b.slice(5)}`));
}

/** The variable a `findMany` result lands in: `const rows = await …` or `rows = await …`. */
function listName(read: CallExpression): string | undefined {
  let n: Node = read;
  const up = n.getParent();
  if (up && Node.isAwaitExpression(up)) n = up;
  const holder = n.getParent();
  if (holder && Node.isVariableDeclaration(holder) && holder.getInitializer() === n && Node.isIdentifier(holder.getNameNode())) return holder.getName();
  if (holder && Node.isBinaryExpression(holder) && holder.getOperatorToken().getText() === '=' && holder.getRight() === n && Node.isIdentifier(holder.getLeft())) return holder.getLeft().getText();
  return undefined;
}

/** Why `update` oversells (a check on many rows read earlier, the change made per item), or undefined. */
export function perItemStockRace(update: CallExpression, model: string, data: Node, where: ObjectLiteralExpression, tx: TransactionSite | undefined): string | undefined {
  const steps = atomicSteps(data);
  if (steps.size === 0 || tx?.serializable) return undefined;
  // The handler (or resolver) around the loop and any transaction callback: the outermost function.
  const top = update.getAncestors().filter(isFunctionLike).at(-1);
  if (!top) return undefined;
  const items = perItemNames(update, top);
  if (items.size === 0 || !referencedNames(where).some((n) => items.has(n))) return undefined;
  const reads = top.getDescendantsOfKind(SyntaxKind.CallExpression).filter((c) => {
    const call = prismaCall(c);
    return c.getEnd() < update.getStart() && call?.model === model && call.method === 'findMany';
  });
  for (const read of reads.reverse()) {
    const list = listName(read);
    // The read must run on the way to the write: its function holds the update.
    const readFn = read.getAncestors().find(isFunctionLike);
    if (!list || !readFn || !update.getAncestors().includes(readFn)) continue;
    const inRange = (n: Node) => n.getStart() > read.getEnd() && n.getEnd() < update.getStart();
    // Elements of the list: `const p = list.find(…)`, `for (const p of list)`.
    const elements = new Set<string>();
    for (const d of top.getDescendantsOfKind(SyntaxKind.VariableDeclaration)) {
      const init = d.getInitializer();
      if (inRange(d) && init && Node.isIdentifier(d.getNameNode()) && new RegExp(`^${list}\\s*\\.\\s*find\\(`).test(init.getText())) elements.add(d.getName());
    }
    for (const loop of top.getDescendantsOfKind(SyntaxKind.ForOfStatement)) {
      if (inRange(loop) && loop.getExpression().getText() === list) for (const n of referencedNames(loop.getInitializer())) elements.add(n);
    }
    for (const [field, step] of steps) {
      // `p.stock`, or a local holding it (`const onHand = p.stock ?? 0`).
      const onField = new RegExp(`^(?:${[...elements].join('|') || '(?!)'})\\s*\\??\\.\\s*${field}\\b`);
      const aliases = new Set(top.getDescendantsOfKind(SyntaxKind.VariableDeclaration).filter((d) => inRange(d) && Node.isIdentifier(d.getNameNode()) && onField.test(d.getInitializer()?.getText() ?? '')).map((d) => d.getName()));
      const isStock = (e: Node): boolean =>
        (Node.isPropertyAccessExpression(e) && e.getName() === field && elements.has(e.getExpression().getText())) || (Node.isIdentifier(e) && aliases.has(e.getText()));
      const guard = top.getDescendantsOfKind(SyntaxKind.IfStatement).find((g) => {
        if (!inRange(g) || otherBranch(g, update, top)) return false;
        const then = g.getThenStatement();
        const last = Node.isBlock(then) ? then.getStatements().at(-1) : then;
        if (!last || !(Node.isReturnStatement(last) || Node.isThrowStatement(last))) return false;
        const cond = g.getExpression();
        return [cond, ...cond.getDescendantsOfKind(SyntaxKind.BinaryExpression)].some((b) => Node.isBinaryExpression(b) && RELATIONAL.test(b.getOperatorToken().getText()) && (isStock(b.getLeft()) || isStock(b.getRight())));
      });
      if (!guard) continue;
      const bound = step.op === 'decrement' ? `\`${field}: { gte: ${step.by} }\`` : `the check's bound on ${field}`;
      const what = step.op === 'decrement' ? 'oversell' : 'overrun';
      return `${what}: the ${field} checked on ${model} rows read earlier by findMany (line ${read.getStartLineNumber()}; the check \`${guard.getExpression().getText()}\` at line ${guard.getStartLineNumber()}) is ${step.op === 'decrement' ? 'decremented' : 'incremented'} per item without the check in the write, so two concurrent requests both pass it (Read Committed, inside $transaction too); make each write an updateMany with ${bound} in its where, count checked, and throw to roll back — by hand`;
    }
  }
  return undefined;
}
