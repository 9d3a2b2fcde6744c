/**
 * Where an update sits, and whether code can be put right there: the statement holding the write (so inserted
 * code runs after everything the author wrote before it: auth, validation, early returns) and who would receive
 * a conflict (an app route handler can answer 409; any other function gets a thrown ConflictError).
 */
import { Node, SyntaxKind, type AwaitExpression, type CallExpression, type Statement } from 'ts-morph';
import { enclosingFunction } from '../ast.ts';
import { isFunctionLike, isPagesApiHandler, isServerAction, routeHandlerMethod, type HttpMethod } from '../lib/route-handler.ts';

export interface WriteSite {
  fn: Node;
  awaited: AwaitExpression;
  /** `await x.update(…);` or `const v = await x.update(…);`, directly inside a block of `fn`. */
  statement: Statement;
  /** Set for `const v = await …`: the binding the rewrite must still define. */
  declared?: { kind: string; name: string };
  /** `route`: an exported HTTP-method handler of an app route file; `library`: any other top-level function. */
  context: { kind: 'route'; method: HttpMethod } | { kind: 'library' };
}

/** The write's site, or the reason code cannot be placed there safely. */
export function writeSite(update: CallExpression, relPath: string): WriteSite | string {
  const fn = enclosingFunction(update);
  if (!fn) return 'it is not inside a function';
  // Inside a callback (a transaction, a map), a thrown conflict or an early return would land in someone
  // else's code: the handler around it must decide.
  if (fn.getAncestors().some(isFunctionLike) || Node.isCallExpression(fn.getParent())) {
    return 'it runs inside a callback, where neither a 409 nor a thrown ConflictError reaches the caller as intended';
  }
  const awaited = update.getParentIfKind(SyntaxKind.AwaitExpression);
  if (!awaited) {
    // Name what holds it: an array (Promise.all, a batch) or a returned promise is awaited elsewhere, not here.
    const holder = update.getParent();
    if (holder && Node.isArrayLiteralExpression(holder)) return `it is an element of an array (\`${holder.getParent()?.getText().slice(0, 30) ?? '[…]'}…\`), not a statement of its own where a check can be placed`;
    if (holder && Node.isReturnStatement(holder)) return 'its promise is returned to the caller, which awaits it elsewhere';
    return 'its promise is not awaited where it is called';
  }
  const holder = awaited.getParentOrThrow();
  let statement: Node | undefined;
  let declared: WriteSite['declared'];
  if (Node.isExpressionStatement(holder)) statement = holder;
  else if (Node.isVariableDeclaration(holder) && holder.getInitializer() === awaited && Node.isIdentifier(holder.getNameNode())) {
    const vs = holder.getVariableStatement();
    if (vs && vs.getDeclarations().length === 1) {
      statement = vs;
      declared = { kind: vs.getDeclarationKind(), name: holder.getName() };
    }
  }
  if (!statement || !Node.isStatement(statement)) return 'it is not a plain `await …update(…)` or `const x = await …update(…)` statement';
  const parent = statement.getParent();
  if (!parent || !(Node.isBlock(parent) || Node.isCaseClause(parent) || Node.isDefaultClause(parent))) return 'its statement is not inside a block';
  const method = routeHandlerMethod(fn, relPath);
  // Both answer their client themselves, and neither a Response nor a thrown class survives the trip there.
  if (!method && isPagesApiHandler(fn, relPath)) return 'it is in a pages/api handler, which answers a conflict with res.status(409), not a returned Response';
  if (!method && isServerAction(fn)) return 'it is in a server action, whose client would see a thrown ConflictError only as a generic error';
  return { fn, awaited, statement, declared, context: method ? { kind: 'route', method } : { kind: 'library' } };
}

/**
 * The write is in a top-level function that is not an app route handler (a server action, a pages/api handler, a
 * library function): a conflict there has no 409 to become, but the function's own `throw` / `return` reach its caller.
 */
export function outsideRouteHandler(update: CallExpression, relPath: string): boolean {
  const fn = enclosingFunction(update);
  if (!fn || fn.getAncestors().some(isFunctionLike) || Node.isCallExpression(fn.getParent())) return false;
  return !routeHandlerMethod(fn, relPath);
}

/** `return conflictResponse(err)` (a plain `Response`) fits the handler's declared return type, or it declares none. */
export function acceptsResponse(fn: Node): boolean {
  const declared = Node.isFunctionLikeDeclaration(fn) || Node.isArrowFunction(fn) ? fn.getReturnTypeNode()?.getText().replace(/\s/g, '') : undefined;
  // NextResponse<T> is narrower than Response: a plain 409 Response would not fit it.
  return !declared || /^(?:Promise<)?Response>?$/.test(declared);
}
