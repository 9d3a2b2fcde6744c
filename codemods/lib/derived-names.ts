/** Taint through local declarations: which names of a function carry a value that comes from some source. */
import { Node, SyntaxKind, type Expression } from 'ts-morph';
import { referencedNames } from '../ast.ts';

/**
 * Names declared in fn whose initializer is a source (`isSource`) or mentions a name already derived, to a fixed
 * point (`const user = await getUser(); const id = user.id` → user, id). `fromOther` marks names declared elsewhere
 * (an imported helper that reads cookies) that also count as sources.
 */
export function derivedNames(
  fn: Node,
  isSource: (init: Expression) => boolean,
  fromOther: (name: string) => boolean = () => false,
  /** Initializers that do not pass a value on, even when they mention a derived name (an HTTP call's answer). */
  stops: (init: Expression) => boolean = () => false,
): Set<string> {
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
      if (isSource(init) || (!stops(init) && referencedNames(init).some((n) => tainted.has(n) || fromOther(n)))) {
        for (const n of names) tainted.add(n);
        grew = true;
      }
    }
  }
  return tainted;
}
