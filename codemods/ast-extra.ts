/**
 * Helpers for the issue-7 codemods (upload-queue, session-id, fetch-cache), kept apart from ast.ts so the two
 * can change independently.
 */
import { Node, SyntaxKind } from 'ts-morph';
import { referencedNames } from './ast.ts';

/** A call that reads who is asking: cookies, auth headers, a session lookup. */
export const SESSION_READ =
  /\b(?:cookies|headers|getServerSession|getSession\w*|getSessionUser|getCurrentUser|currentUser|requireUser|auth)\s*\(|\.cookies\.get\s*\(|\bsession\b/;

/** Names in fn whose value comes from a session read, directly or through other such names. */
export function sessionDerivedNames(fn: Node): Set<string> {
  const tainted = new Set<string>();
  const decls = fn.getDescendantsOfKind(SyntaxKind.VariableDeclaration);
  let grew = true;
  while (grew) {
    grew = false;
    for (const d of decls) {
      const init = d.getInitializer();
      if (!init) continue;
      const nameNode = d.getNameNode();
      const names = Node.isIdentifier(nameNode) ? [nameNode.getText()] : nameNode.getDescendantsOfKind(SyntaxKind.Identifier).map((i) => i.getText());
      if (names.every((n) => tainted.has(n))) continue;
      if (SESSION_READ.test(init.getText()) || referencedNames(init).some((n) => tainted.has(n))) {
        for (const n of names) tainted.add(n);
        grew = true;
      }
    }
  }
  return tainted;
}

/** The outermost function-like node around node (the route handler or component), or undefined at module level. */
export function outermostFunction(node: Node): Node | undefined {
  const fns = node.getAncestors().filter((a) => Node.isFunctionDeclaration(a) || Node.isArrowFunction(a) || Node.isFunctionExpression(a) || Node.isMethodDeclaration(a));
  return fns[fns.length - 1];
}
