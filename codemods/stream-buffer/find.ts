/** What stream-buffer looks for: a capped-and-truncated buffer inside a stream-reading loop. */
import { Node, SyntaxKind, type IfStatement } from 'ts-morph';
import { referencedNames } from '../ast.ts';

export const MEMO = "the memo's fix (raise the cap to 5 MB, keep 2 MB) only moves the cliff: any reply past the cap still loses its head, and the parse offset no longer points at the same text; draining complete lines and keeping only the unfinished tail never drops data";

export function isReadingLoop(node: Node): boolean {
  if (Node.isForOfStatement(node) && node.isAwaited()) return true;
  if (Node.isWhileStatement(node) || Node.isDoStatement(node) || Node.isForStatement(node)) {
    return node.getStatement().getDescendantsOfKind(SyntaxKind.CallExpression).some((c) => /\.read\(\)$/.test(c.getText()));
  }
  return false;
}

/** `console.warn(…)`, `logger.info(…)`, `metrics.increment(…)`: a call that only reports, and never changes the buffer. */
function isReportOnly(stmt: Node, buf: string): boolean {
  if (!Node.isExpressionStatement(stmt)) return false;
  const call = stmt.getExpression();
  if (!Node.isCallExpression(call)) return false;
  const callee = call.getExpression().getText();
  return /^(?:console|logger|log|metrics|Sentry)\.\w+$/.test(callee) && !new RegExp(`\\b${buf.replace(/[.$]/g, '\\$&')}\\s*=`).test(call.getText());
}

/** `if (buf.length > N) buf = buf.substring(…) | buf.slice(…)` (optionally with a log line) → the buffer's name. */
export function capAndTruncate(stmt: IfStatement): string | undefined {
  const cond = stmt.getExpression();
  if (!Node.isBinaryExpression(cond) || !/^>=?$/.test(cond.getOperatorToken().getText())) return undefined;
  const left = cond.getLeft();
  if (!Node.isPropertyAccessExpression(left) || left.getName() !== 'length') return undefined;
  const name = left.getExpression().getText();
  let then: Node = stmt.getThenStatement();
  if (stmt.getElseStatement()) return undefined;
  if (Node.isBlock(then)) {
    // The cut, and at most what only reports it (a warning log, a metric): the block exists for the cut.
    const inner = then.getStatements();
    const cuts = inner.filter((st) => Node.isExpressionStatement(st) && Node.isBinaryExpression(st.getExpression()) && (st.getExpression() as import('ts-morph').BinaryExpression).getLeft().getText() === name);
    const reports = inner.filter((st) => !cuts.includes(st) && isReportOnly(st, name));
    if (cuts.length !== 1 || cuts.length + reports.length !== inner.length) return undefined;
    then = cuts[0]!;
  }
  if (!Node.isExpressionStatement(then)) return undefined;
  const assign = then.getExpression();
  if (!Node.isBinaryExpression(assign) || assign.getOperatorToken().getText() !== '=' || assign.getLeft().getText() !== name) return undefined;
  return new RegExp(`^${name.replace(/[.$]/g, '\\$&')}\\.(?:substring|substr|slice)\\(`).test(assign.getRight().getText()) ? name : undefined;
}

export function mentions(node: Node, names: string[]): boolean {
  return referencedNames(node).some((n) => names.includes(n));
}

/** The `transform` callback of `new TransformStream({ transform(chunk, controller) { … } })`: called once per chunk, like a loop body. */
export function isTransformCallback(node: Node): boolean {
  const named =
    (Node.isMethodDeclaration(node) && node.getName() === 'transform') ||
    ((Node.isArrowFunction(node) || Node.isFunctionExpression(node)) && Node.isPropertyAssignment(node.getParent()) && (node.getParent() as import('ts-morph').PropertyAssignment).getName() === 'transform');
  if (!named) return false;
  const literal = node.getFirstAncestorByKind(SyntaxKind.ObjectLiteralExpression);
  const created = literal?.getParent();
  return !!created && Node.isNewExpression(created) && /^TransformStream$/.test(created.getExpression().getText()) && created.getArguments()[0] === literal;
}
