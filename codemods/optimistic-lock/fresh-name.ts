/** Names for locals an edit inserts, which must not shadow or clash with the author's. */
import { SyntaxKind, type Node } from 'ts-morph';

/** `base`, or `base2`, `base3` … when `scope` or this run already uses that name; reserves it. */
export function freshName(scope: Node, base: string, reserved: Set<string>): string {
  const used = new Set(scope.getDescendantsOfKind(SyntaxKind.Identifier).map((i) => i.getText()));
  for (let n = 1; ; n++) {
    const name = n === 1 ? base : `${base}${n}`;
    if (used.has(name) || reserved.has(name)) continue;
    reserved.add(name);
    return name;
  }
}
