/**
 * ts-morph's getDescendantsOfKind, fast: ts-morph walks the tree with nested generators (each node found is
 * handed up through one generator per level) and wraps every match; on a large app that walk was the biggest
 * single cost of a dry run. This walks the compiler's tree with ts.forEachChild and wraps only the nodes kept.
 * Same nodes, same (document) order. ts-morph searches node kinds by forEachChild, and Identifiers through every
 * node's children, which also holds its JSDoc (`@param {Foo} x` has two): so does this. Other token kinds
 * (keywords, punctuation) and JSDoc kinds are left to ts-morph.
 */
import { Node, SyntaxKind, ts, type KindToNodeMappings } from 'ts-morph';

/** ts-morph's own wrapper factory (internal API): the same wrapped node getDescendantsOfKind would return. */
function wrap<T extends Node>(from: Node, compilerNode: ts.Node): T {
  return (from as unknown as { _getNodeFromCompilerNode(n: ts.Node): T })._getNodeFromCompilerNode(compilerNode);
}

/** The kinds ts-morph itself searches by forEachChild (its useParseTreeSearchForKind), and Identifier. */
function isWalkedKind(kind: SyntaxKind): boolean {
  return (kind >= SyntaxKind.FirstNode && kind < SyntaxKind.FirstJSDocNode) || kind === SyntaxKind.Identifier;
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
  if (node.getKind() === SyntaxKind.SyntaxList || !kinds.every(isWalkedKind)) {
    for (const k of kinds) out.set(k, node.getDescendantsOfKind(k).filter((n) => !keep || keep(n.compilerNode)));
    return out;
  }
  const found: ts.Node[] = [];
  const wanted = new Set<number>(kinds);
  const identifiers = wanted.has(SyntaxKind.Identifier);
  // Inside JSDoc only Identifiers count (ts-morph's search for node kinds does not enter it).
  const inDoc = (n: ts.Node): undefined => {
    if (n.kind === SyntaxKind.Identifier && (!keep || keep(n))) found.push(n);
    ts.forEachChild(n, inDoc);
    return undefined;
  };
  const children = (n: ts.Node): void => {
    if (identifiers) for (const doc of (n as { jsDoc?: ts.Node[] }).jsDoc ?? []) inDoc(doc);
    ts.forEachChild(n, visit);
  };
  const visit = (n: ts.Node): undefined => {
    if (wanted.has(n.kind) && (!keep || keep(n))) found.push(n);
    children(n);
    return undefined; // a truthy return would stop forEachChild
  };
  children(node.compilerNode);
  for (const n of found) out.get(n.kind as K)!.push(wrap(node, n));
  return out;
}

/** `node.getDescendantsOfKind(kind)`, optionally filtered on the compiler node before wrapping. */
export function descendantsOfKind<K extends SyntaxKind>(node: Node, kind: K, keep?: (compilerNode: ts.Node) => boolean): Array<KindToNodeMappings[K]> {
  return descendantsOfKinds(node, [kind], keep).get(kind)!;
}
