/**
 * ts-morph's getDescendantsOfKind, fast: ts-morph walks the tree with nested generators (each node found is
 * handed up through one generator per level) and wraps every match; on a large app that walk was the biggest
 * single cost of a dry run. This walks the compiler's tree with ts.forEachChild and wraps only the nodes kept.
 * Same nodes, same (document) order, for the node kinds it accepts; token kinds (Identifier, keywords) and
 * JSDoc kinds are searched by ts-morph itself, whose search for those also looks inside JSDoc and token lists.
 */
import { Node, SyntaxKind, ts, type KindToNodeMappings } from 'ts-morph';

/** ts-morph's own wrapper factory (internal API): the same wrapped node getDescendantsOfKind would return. */
function wrap<T extends Node>(from: Node, compilerNode: ts.Node): T {
  return (from as unknown as { _getNodeFromCompilerNode(n: ts.Node): T })._getNodeFromCompilerNode(compilerNode);
}

/** The kinds ts-morph itself searches by forEachChild (its useParseTreeSearchForKind). */
function isParseTreeKind(kind: SyntaxKind): boolean {
  return kind >= SyntaxKind.FirstNode && kind < SyntaxKind.FirstJSDocNode;
}

/**
 * Descendants of `node` of any of `kinds`, grouped by kind, each group in document order, in one walk; `keep`
 * rejects a compiler node before it is wrapped (wrapping costs more than the walk).
 */
export function descendantsOfKinds<K extends SyntaxKind>(
  node: Node,
  kinds: readonly K[],
  keep?: (compilerNode: ts.Node) => boolean,
): Map<K, Array<KindToNodeMappings[K]>> {
  const out = new Map<K, Array<KindToNodeMappings[K]>>(kinds.map((k) => [k, []]));
  if (node.getKind() === SyntaxKind.SyntaxList || !kinds.every(isParseTreeKind)) {
    for (const k of kinds) out.set(k, node.getDescendantsOfKind(k).filter((n) => !keep || keep(n.compilerNode)));
    return out;
  }
  const found: ts.Node[] = [];
  const wanted = new Set<number>(kinds);
  const visit = (n: ts.Node): undefined => {
    if (wanted.has(n.kind) && (!keep || keep(n))) found.push(n);
    ts.forEachChild(n, visit);
    return undefined; // a truthy return would stop forEachChild
  };
  ts.forEachChild(node.compilerNode, visit);
  for (const n of found) out.get(n.kind as K)!.push(wrap(node, n));
  return out;
}

/** `node.getDescendantsOfKind(kind)`, optionally filtered on the compiler node before wrapping. */
export function descendantsOfKind<K extends SyntaxKind>(node: Node, kind: K, keep?: (compilerNode: ts.Node) => boolean): Array<KindToNodeMappings[K]> {
  return descendantsOfKinds(node, [kind], keep).get(kind)!;
}
