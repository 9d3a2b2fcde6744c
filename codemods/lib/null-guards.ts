/**
 * Is a variable known to hold a value (not null / undefined) at a given point? Judged from the code's own
 * checks, so an edit that reads `x.field` never dereferences something the author only used as `x?.field`.
 */
import { Node, SyntaxKind, type VariableDeclaration } from 'ts-morph';
import { isFunctionLike } from './route-handler.ts';

/**
 * True when `decl` (a `const` binding one name) cannot be null or undefined at `at`: its read throws when nothing
 * is found (`…OrThrow`, a `!` assertion), an earlier `if (!x) return|throw …` in an enclosing block exits first, or
 * `at` sits in the then-branch of `if (x …)`.
 */
export function provenNonNull(decl: VariableDeclaration, at: Node): boolean {
  const nameNode = decl.getNameNode();
  if (!Node.isIdentifier(nameNode) || decl.getVariableStatement()?.getDeclarationKind() !== 'const') return false;
  const name = nameNode.getText();
  if (throwsWhenMissing(decl.getInitializer())) return true;
  for (let child: Node = at, parent = at.getParent(); parent && !isFunctionLike(child); child = parent, parent = parent.getParent()) {
    if (Node.isIfStatement(parent) && parent.getThenStatement() === child && truthyTest(parent.getExpression(), name)) return true;
    if (Node.isBlock(parent) || Node.isCaseClause(parent) || Node.isSourceFile(parent)) {
      const before = parent.getStatements().filter((s) => s.getEnd() <= child.getStart() && s.getStart() > decl.getEnd());
      if (before.some((s) => exitsWhenMissing(s, name))) return true;
    }
  }
  return false;
}

function throwsWhenMissing(init: Node | undefined): boolean {
  let n = init;
  while (n && (Node.isAwaitExpression(n) || Node.isParenthesizedExpression(n))) n = n.getExpression();
  if (!n) return false;
  if (Node.isNonNullExpression(n)) return true;
  if (!Node.isCallExpression(n)) return false;
  const callee = n.getExpression();
  return Node.isPropertyAccessExpression(callee) && /OrThrow$/.test(callee.getName());
}

/** `if (!x) return …;` / `if (x == null || …) { …; throw … }` with no else. */
function exitsWhenMissing(stmt: Node, name: string): boolean {
  if (!Node.isIfStatement(stmt) || stmt.getElseStatement()) return false;
  return missingTest(stmt.getExpression(), name) && alwaysExits(stmt.getThenStatement());
}

function alwaysExits(stmt: Node): boolean {
  if (Node.isReturnStatement(stmt) || Node.isThrowStatement(stmt)) return true;
  if (Node.isBlock(stmt)) {
    const last = stmt.getStatements().at(-1);
    return Boolean(last && (Node.isReturnStatement(last) || Node.isThrowStatement(last)));
  }
  // Next.js's notFound() / redirect() never return.
  return Node.isExpressionStatement(stmt) && /^(?:notFound|redirect|permanentRedirect)\(/.test(stmt.getExpression().getText());
}

/** True when the condition holds whenever `name` is null/undefined (so passing it means `name` has a value). */
function missingTest(cond: Node, name: string): boolean {
  const e = unwrap(cond);
  if (Node.isPrefixUnaryExpression(e) && e.getOperatorToken() === SyntaxKind.ExclamationToken) return isOrReaches(unwrap(e.getOperand()), name);
  if (Node.isBinaryExpression(e)) {
    const op = e.getOperatorToken().getKind();
    if (op === SyntaxKind.BarBarToken) return missingTest(e.getLeft(), name) || missingTest(e.getRight(), name);
    if (op === SyntaxKind.EqualsEqualsToken || op === SyntaxKind.EqualsEqualsEqualsToken) return comparesToNothing(e.getLeft().getText(), e.getRight().getText(), name, op === SyntaxKind.EqualsEqualsToken);
  }
  return false;
}

/** True when the condition can only hold if `name` has a value. */
function truthyTest(cond: Node, name: string): boolean {
  const e = unwrap(cond);
  if (isOrReaches(e, name)) return true;
  if (Node.isBinaryExpression(e)) {
    const op = e.getOperatorToken().getKind();
    if (op === SyntaxKind.AmpersandAmpersandToken) return truthyTest(e.getLeft(), name) || truthyTest(e.getRight(), name);
    if (op === SyntaxKind.ExclamationEqualsToken || op === SyntaxKind.ExclamationEqualsEqualsToken) return comparesToNothing(e.getLeft().getText(), e.getRight().getText(), name, op === SyntaxKind.ExclamationEqualsToken);
  }
  return false;
}

/** `x == null` / `x == undefined` (both), or a strict `x === null`: a Prisma read that finds nothing returns null. */
function comparesToNothing(left: string, right: string, name: string, loose: boolean): boolean {
  const other = left === name ? right : right === name ? left : undefined;
  if (other !== undefined) return loose ? /^(?:null|undefined)$/.test(other) : other === 'null';
  // `x?.f == null` holds when x is null (x?.f is then undefined); a strict `=== null` does not.
  const chain = (t: string) => new RegExp(`^${name.replace(/\$/g, '\\$')}\\?\\.[\\w$.?]+$`).test(t);
  const far = chain(left) ? right : chain(right) ? left : undefined;
  return loose && far !== undefined && /^(?:null|undefined)$/.test(far);
}

/** `x`, or an optional chain from it (`x?.audio`, `x?.a.b()`): undefined whenever x is null, so a test of it tests x too. */
function isOrReaches(e: Node, name: string): boolean {
  if (e.getText() === name) return true;
  const chain = Node.isPropertyAccessExpression(e) || Node.isElementAccessExpression(e) || Node.isCallExpression(e);
  return chain && e.getText().startsWith(`${name}?.`);
}

function unwrap(n: Node): Node {
  return Node.isParenthesizedExpression(n) ? unwrap(n.getExpression()) : n;
}
