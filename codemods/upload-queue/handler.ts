/** The route handler around an upload: where it reads its Request's body with `<param>.formData()`. */
import { Node, SyntaxKind, type Block, type CallExpression } from 'ts-morph';
import { enclosingFunction } from '../ast.ts';
import type { Plan } from './plan.ts';

export interface Handler {
  body: Block;
  formCall: CallExpression;
  /** The variable the FormData lands in (`const form = await req.formData()` or `let form: FormData;` + `form = await …`). */
  formVar?: string;
  /** Index in body statements where the wrapped tail starts (the formData read, or `let form: FormData;` before it). */
  start: number;
}

/**
 * A handler that wraps its work in `try { auth…; body read…; upload…; return … } catch { … }`: only the tail of
 * that try block goes into the slot, so the authorization and checks before the body read run first. Only when
 * the tail cannot fall through to code after the try (it ends in return/throw, or the try ends the handler): the
 * tail becomes `return await withUploadSlot(…)`, which would skip such code.
 */
function tryBlockTail(body: Block, formCall: Node, plan: Plan): Block | undefined {
  const tryStmt = formCall.getFirstAncestorByKind(SyntaxKind.TryStatement);
  if (!tryStmt || tryStmt.getParent() !== body) return undefined;
  const block = tryStmt.getTryBlock();
  const inBlock = (n: Node) => n.getFirstAncestor((a) => a === block) !== undefined;
  if (!inBlock(formCall) || !inBlock(plan.upload) || formCall.getFirstAncestorByKind(SyntaxKind.Block) !== block) return undefined;
  const stmts = block.getStatements();
  const last = stmts[stmts.length - 1];
  const endsHandler = body.getStatements()[body.getStatements().length - 1] === tryStmt;
  if (!endsHandler && !(last && (Node.isReturnStatement(last) || Node.isThrowStatement(last)))) return undefined;
  return block;
}

export function handlerFor(plan: Plan): Handler | undefined {
  const fn = enclosingFunction(plan.read);
  if (!fn || !(Node.isFunctionDeclaration(fn) || Node.isArrowFunction(fn) || Node.isFunctionExpression(fn) || Node.isMethodDeclaration(fn))) return undefined;
  const body = fn.getBody();
  if (!body || !Node.isBlock(body)) return undefined;
  const params = new Set(fn.getParameters().map((p) => p.getName()));
  const formCall = fn.getDescendantsOfKind(SyntaxKind.CallExpression).find((c) => {
    const callee = c.getExpression();
    return (
      c.getArguments().length === 0 &&
      Node.isPropertyAccessExpression(callee) &&
      callee.getName() === 'formData' &&
      params.has(callee.getExpression().getText()) &&
      enclosingFunction(c) === fn &&
      c.getStart() < plan.read.getStart()
    );
  });
  if (!formCall) return undefined;
  const block = tryBlockTail(body, formCall, plan) ?? body;
  const stmts = block.getStatements();
  const top = (n: Node) => stmts.findIndex((s) => s.getStart() <= n.getStart() && s.getEnd() >= n.getEnd());
  let start = top(formCall);
  if (start < 0 || top(plan.upload) < start) return undefined;
  const awaited = formCall.getParent();
  const holder = awaited && Node.isAwaitExpression(awaited) ? awaited.getParent() : undefined;
  let formVar: string | undefined;
  if (holder && Node.isVariableDeclaration(holder) && Node.isIdentifier(holder.getNameNode())) formVar = holder.getName();
  if (holder && Node.isBinaryExpression(holder) && holder.getOperatorToken().getKind() === SyntaxKind.EqualsToken && Node.isIdentifier(holder.getLeft())) {
    formVar = holder.getLeft().getText();
    // `let form: FormData;` just before the try that assigns it moves into the slot too.
    const k = start - 1;
    const decl = stmts[k];
    if (decl && Node.isVariableStatement(decl) && decl.getDeclarations().length === 1 && decl.getDeclarations()[0]!.getName() === formVar && !decl.getDeclarations()[0]!.getInitializer()) start = k;
  }
  return { body: block, formCall, formVar, start };
}
