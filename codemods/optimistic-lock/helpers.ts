/**
 * Reads and writes hidden one call away, in a function of the same module whose body is that one Prisma call
 * (`async function getBalance(id) { return db.wallet.findUnique({ where: { id } }) }`). A read helper is followed
 * as if it were written inline (the handler's update is what gets rewritten). A write helper that takes the final
 * value (`setBalance(id, u.balance - cost)`) cannot be made safe without changing what it takes, so it is reported.
 */
import { Node, SyntaxKind, ts, type CallExpression } from 'ts-morph';
import { enclosingFunction, referencedNames } from '../ast.ts';
import { descendantsOfKind, descendantsOfKinds } from '../lib/descendants.ts';
import { derivedNames } from '../lib/derived-names.ts';
import { ONE_ROW_READS, prismaCall } from './query.ts';

interface Helper {
  name: string;
  fn: Node;
  params: string[];
  /** The one Prisma call the body is. */
  inner: CallExpression;
}

/** The same-module function a plain `name(…)` call runs, when its body is one (returned or awaited) Prisma call. */
function helperOf(call: CallExpression): Helper | undefined {
  const callee = call.getExpression();
  if (!Node.isIdentifier(callee)) return undefined;
  // By name among the module's top-level declarations, not through the type checker: asking for a symbol
  // builds the checker over the whole program (2.4 GB and 30 s on a large app, for every file this codemod reads).
  const sf = call.getSourceFile();
  const name = callee.getText();
  const fn = sf.getFunction(name) ?? sf.getVariableDeclaration(name)?.getInitializer();
  if (!fn || shadowed(call, name)) return undefined;
  if (!fn || fn.getSourceFile() !== call.getSourceFile() || !(Node.isFunctionDeclaration(fn) || Node.isArrowFunction(fn) || Node.isFunctionExpression(fn))) return undefined;
  const params = fn.getParameters();
  if (params.some((p) => !Node.isIdentifier(p.getNameNode()) || p.isRestParameter()) || call.getArguments().length !== params.length) return undefined;
  const body = fn.getBody();
  let expr: Node | undefined = body && !Node.isBlock(body) ? body : undefined;
  if (body && Node.isBlock(body) && body.getStatements().length === 1) {
    const only = body.getStatements()[0]!;
    expr = Node.isReturnStatement(only) ? only.getExpression() : Node.isExpressionStatement(only) ? only.getExpression() : undefined;
  }
  while (expr && (Node.isAwaitExpression(expr) || Node.isParenthesizedExpression(expr))) expr = expr.getExpression();
  if (!expr || !Node.isCallExpression(expr) || !prismaCall(expr)) return undefined;
  return { name: callee.getText(), fn, params: params.map((p) => p.getName()), inner: expr };
}

/** `name` is a parameter or local of a function around `call`, so it is not the module's function of that name. */
function shadowed(call: Node, name: string): boolean {
  for (let fn = enclosingFunction(call); fn; fn = enclosingFunction(fn)) {
    const params = Node.isFunctionDeclaration(fn) || Node.isArrowFunction(fn) || Node.isFunctionExpression(fn) || Node.isMethodDeclaration(fn) ? fn.getParameters() : [];
    if (params.some((p) => p.getName() === name)) return true;
    const declares = (n: ts.Node) => (ts.isVariableDeclaration(n) || ts.isFunctionDeclaration(n)) && n.name?.getText() === name;
    const found = descendantsOfKinds(fn, [SyntaxKind.VariableDeclaration, SyntaxKind.FunctionDeclaration], declares);
    if (found.get(SyntaxKind.VariableDeclaration)!.length > 0 || found.get(SyntaxKind.FunctionDeclaration)!.length > 0) return true;
  }
  return false;
}

/** A call of a same-module read helper of `model`: the Prisma read inside, and its parameters → the call's arguments. */
export function helperRead(call: CallExpression, model: string): { inner: CallExpression; args: Map<string, string> } | undefined {
  const h = helperOf(call);
  const inner = h && prismaCall(h.inner);
  if (!h || !inner || inner.model !== model || !ONE_ROW_READS.test(inner.method)) return undefined;
  return { inner: h.inner, args: new Map(h.params.map((p, i) => [p, call.getArguments()[i]!.getText()])) };
}

/**
 * When `update` is the whole body of a same-module helper whose data takes a parameter, and some caller passes a
 * value computed from a read of the same model: why that lost update needs a human. Undefined otherwise.
 */
export function helperWriteRace(update: CallExpression, model: string, data: Node): string | undefined {
  const fn = enclosingFunction(update);
  const named = fn && (Node.isFunctionDeclaration(fn) ? fn.getNameNode() : fn.getParentIfKind(SyntaxKind.VariableDeclaration)?.getNameNode());
  if (!fn || !named || !Node.isIdentifier(named)) return undefined;
  const byName = (n: ts.Node) => ts.isCallExpression(n) && n.expression.getText() === named.getText();
  const calls = descendantsOfKind(fn.getSourceFile(), SyntaxKind.CallExpression, byName).filter((c) => helperOf(c)?.inner === update);
  const params = calls[0] ? helperOf(calls[0])!.params : [];
  const fed = params.map((p, i) => [p, i] as const).filter(([p]) => referencedNames(data).includes(p));
  for (const call of calls) {
    const caller = enclosingFunction(call);
    if (!caller) continue;
    const before = (n: ts.Node) => n.end <= call.getStart();
    const reads = descendantsOfKind(caller, SyntaxKind.CallExpression, before).filter((c) => isRead(c, model) || helperRead(c, model));
    for (const read of reads) {
      const tainted = derivedNames(caller, (init) => init.getStart() <= read.getStart() && read.getEnd() <= init.getEnd());
      const hit = fed.find(([, i]) => referencedNames(call.getArguments()[i]!).some((n) => tainted.has(n)));
      if (!hit) continue;
      const others = calls.length - 1;
      return `${named.getText()}(…) writes ${model} from its parameter ${hit[0]}, and the call on line ${call.getStartLineNumber()} passes \`${call.getArguments()[hit[1]]!.getText().replace(/\s+/g, ' ').slice(0, 50)}\`, computed from ${model} read on line ${read.getStartLineNumber()}: a concurrent request can change the row in between and one write is lost. Making it safe means ${named.getText()} takes the change (an increment) or the value it was computed from (a compare-and-set) instead of the final value, which changes its signature${others ? ` for its ${others} other caller${others > 1 ? 's' : ''}` : ''}: by hand`;
    }
  }
  return undefined;
}

function isRead(c: CallExpression, model: string): boolean {
  const call = prismaCall(c);
  return Boolean(call && call.model === model && ONE_ROW_READS.test(call.method));
}
