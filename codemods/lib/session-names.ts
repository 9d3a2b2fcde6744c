/** Who is asking: the calls that read the caller's session, and the names of a function that carry it. */
import { Node } from 'ts-morph';
import { derivedNames } from './derived-names.ts';
import { isFunctionLike } from './route-handler.ts';

/** A call that reads who is asking: cookies, auth headers, a session lookup. */
export const SESSION_READ =
  /\b(?:cookies|headers|getServerSession|getSession\w*|getSessionUser|getCurrentUser|currentUser|requireUser|auth)\s*\(|\.cookies\.get\s*\(|\bsession\b/;

/** Names in fn whose value comes from a session read, directly or through other such names. */
export function sessionDerivedNames(fn: Node): Set<string> {
  return derivedNames(fn, (init) => SESSION_READ.test(init.getText()));
}

/** The outermost function-like node around node (the route handler or component), or undefined at module level. */
export function outermostFunction(node: Node): Node | undefined {
  const fns = node.getAncestors().filter(isFunctionLike);
  return fns[fns.length - 1];
}
