/** codemods/lib/descendants.ts: the same nodes, in the same order, as ts-morph's getDescendantsOfKind (JSDoc included for Identifiers). */
import { describe, expect, it } from 'vitest';
import { Project, SyntaxKind, type Node } from 'ts-morph';
import { descendantsOfKind, descendantsOfKinds } from '../codemods/lib/descendants.ts';

const TEXT = `/**
 * Signs a visitor in.
 * @param {Visitor} who the {@link Registry.lookup} result
 * @returns {Promise<Ticket>}
 */
export async function signIn(who: Visitor, cookies: Jar) {
  const ticket = { token: \`\${who.id}-\${Date.now()}\`, nested: { id: who.id } };
  cookies.set('session', ticket.token);
  let count = 0;
  count = count + 1;
  const check = (a: number) => (b: number) => a + b;
  const typed = /** @type {Ticket} */ (ticket);
  return new Promise<Ticket>((resolve) => resolve(check(1)(2) ? typed : ticket));
}
class Door {
  /** Opens it. @param {Key} key */
  open(key: Key) { return key.turn(); }
}
`;

const KINDS = [
  SyntaxKind.Identifier,
  SyntaxKind.CallExpression,
  SyntaxKind.VariableDeclaration,
  SyntaxKind.PropertyAssignment,
  SyntaxKind.BinaryExpression,
  SyntaxKind.ArrowFunction,
  SyntaxKind.MethodDeclaration,
  SyntaxKind.NewExpression,
] as const;

function file() {
  return new Project({ useInMemoryFileSystem: true }).createSourceFile('/app/sign-in.ts', TEXT);
}

describe('descendantsOfKind', () => {
  it('finds what getDescendantsOfKind finds, in its order, from the file and from inner nodes', () => {
    const sf = file();
    const starts: Node[] = [sf, sf.getFunctionOrThrow('signIn'), ...sf.getDescendantsOfKind(SyntaxKind.CallExpression)];
    for (const start of starts) {
      const together = descendantsOfKinds(start, KINDS);
      for (const kind of KINDS) {
        const expected = start.getDescendantsOfKind(kind);
        expect(descendantsOfKind(start, kind), SyntaxKind[kind]).toEqual(expected);
        expect(together.get(kind)!.every((n, i) => n === expected[i]) && together.get(kind)!.length === expected.length, SyntaxKind[kind]).toBe(true);
      }
    }
    // The identifiers inside JSDoc are among them (ts-morph counts them; a plain forEachChild walk would not).
    expect(descendantsOfKind(sf, SyntaxKind.Identifier).map((i) => i.getText())).toEqual(expect.arrayContaining(['Visitor', 'Registry', 'lookup', 'Key']));
  });

  it('drops nodes the filter rejects before wrapping, keeping the rest in order', () => {
    const sf = file();
    const sets = descendantsOfKind(sf, SyntaxKind.CallExpression, (n) => n.getText().includes('.set('));
    expect(sets.map((c) => c.getText())).toEqual(["cookies.set('session', ticket.token)"]);
  });
});
