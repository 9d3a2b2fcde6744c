/**
 * The plan: from a whole-file read (`await file.arrayBuffer()`), follow the bytes through local names to the
 * awaited call that receives them (the upload). Every statement on the way is either a carrier (it only moves the
 * bytes: Buffer.from, slices pushed into chunks, Buffer.concat) or another use (a validator, a hash, a log, a
 * size check): the edits may drop carriers, never other uses.
 */
import { Node, SyntaxKind, type AwaitExpression, type CallExpression, type Statement } from 'ts-morph';
import { enclosingFunction, referencedNames } from '../ast.ts';
import { isServerAction } from '../lib/route-handler.ts';

/** Calls that only move bytes around in memory, never the upload itself. */
const IN_MEMORY_CALL = /^(?:Buffer\.\w+|Uint8Array\.from|new\s)|\.(?:push|slice|subarray|set|copy|concat|toString|byteLength|from|fill)$/;
/** Calls a carrier may make: copies and slices of the bytes, nothing that looks at them. */
const CARRIER_CALL = /^(?:Buffer\.(?:from|concat|alloc\w*)|Uint8Array\.from)$|\.(?:push|slice|subarray|set|copy|concat)$/;

export interface Plan {
  read: AwaitExpression;
  fileVar: string;
  stmts: Statement[];
  /** Index of the statement that reads the File, and of the one that uploads it. */
  i: number;
  j: number;
  upload: CallExpression;
  /** Indices of the statements that carry the bytes from the read to the upload (the read included). */
  byteStmts: Set<number>;
  /** Statements between the read and the upload that use the bytes for something else (validate, hash, log). */
  otherUses: Statement[];
}

/** Why a read is not planned: `skip` is not an upload at all (left alone quietly), `problem` needs a human. */
export type PlanOutcome = Plan | { problem: string } | { skip: string } | undefined;

export function declaredNames(stmt: Node): string[] {
  return stmt.getDescendantsOfKind(SyntaxKind.VariableDeclaration).flatMap((d) => {
    const n = d.getNameNode();
    return Node.isIdentifier(n) ? [n.getText()] : n.getDescendantsOfKind(SyntaxKind.Identifier).map((id) => id.getText());
  });
}

/** Names declared by the carriers before the upload: the bytes under their local names. */
export function byteNames(plan: Plan): Set<string> {
  return new Set([...plan.byteStmts].filter((k) => k < plan.j).flatMap((k) => declaredNames(plan.stmts[k]!)));
}

/** Statements outside the carriers (the upload statement included): where a byte name must not be needed. */
export function nonCarriers(plan: Plan): Statement[] {
  return plan.stmts.filter((_, k) => !plan.byteStmts.has(k) || k >= plan.j);
}

export function usedIn(names: Set<string>, nodes: Node[], except?: Node): boolean {
  return nodes.some((n) =>
    n.getDescendantsOfKind(SyntaxKind.Identifier).some((id) => names.has(id.getText()) && !(except && id.getStart() >= except.getStart() && id.getEnd() <= except.getEnd())),
  );
}

function calleeText(call: CallExpression): string {
  return call.getExpression().getText().replace(/\s+/g, '');
}

function isUploadCall(call: CallExpression, mentions: (n: Node) => boolean): boolean {
  if (IN_MEMORY_CALL.test(calleeText(call))) return false;
  if (!Node.isAwaitExpression(call.getParent())) return false;
  return call.getArguments().some(mentions);
}

/** A statement that only copies or slices the bytes (no check, no return, no other call on them). */
function isCarrier(stmt: Statement, read?: AwaitExpression): boolean {
  if (!(Node.isVariableStatement(stmt) || Node.isExpressionStatement(stmt) || Node.isForStatement(stmt) || Node.isForOfStatement(stmt) || Node.isWhileStatement(stmt))) return false;
  const kinds = [SyntaxKind.IfStatement, SyntaxKind.ReturnStatement, SyntaxKind.ThrowStatement, SyntaxKind.ConditionalExpression, SyntaxKind.YieldExpression];
  if (kinds.some((k) => stmt.getDescendantsOfKind(k).length > 0)) return false;
  if (stmt.getDescendantsOfKind(SyntaxKind.AwaitExpression).some((a) => a !== read)) return false;
  const readCall = read?.getExpression();
  return stmt.getDescendantsOfKind(SyntaxKind.CallExpression).every((c) => c === readCall || CARRIER_CALL.test(calleeText(c)));
}

/** The FormData the File came from, if it is the request body's: `await <param>.formData()` or a FormData parameter. */
function formFromRequest(fn: Node, formName: string): boolean {
  if (!Node.isFunctionLikeDeclaration(fn)) return false;
  const params = fn.getParameters();
  if (params.some((p) => p.getName() === formName && /\bFormData\b/.test(p.getTypeNode()?.getText() ?? ''))) return true;
  const paramNames = new Set(params.map((p) => p.getName()));
  const bodyRead = (n: Node | undefined) => {
    const text = n?.getText().replace(/\s+/g, '') ?? '';
    const m = /^await(\w+)\.formData\(\)$/.exec(text);
    return Boolean(m && paramNames.has(m[1]!));
  };
  const decls = fn.getDescendantsOfKind(SyntaxKind.VariableDeclaration).filter((d) => d.getName() === formName);
  const assigns = fn.getDescendantsOfKind(SyntaxKind.BinaryExpression).filter((b) => b.getOperatorToken().getKind() === SyntaxKind.EqualsToken && b.getLeft().getText() === formName);
  const sources = [...decls.map((d) => d.getInitializer()).filter((x) => x !== undefined), ...assigns.map((b) => b.getRight())];
  return sources.length > 0 && sources.every(bodyRead);
}

function stripCasts(n: Node): Node {
  let cur = n;
  while (Node.isAsExpression(cur) || Node.isParenthesizedExpression(cur) || Node.isNonNullExpression(cur) || Node.isTypeAssertion(cur)) cur = cur.getExpression();
  return cur;
}

/** Does `fileVar` hold a part of the request's own multipart body (`form.get('f')`, `for (const f of form.getAll('f'))`)? */
function fileFromRequestBody(fn: Node, fileVar: string): boolean {
  const decl = fn.getDescendantsOfKind(SyntaxKind.VariableDeclaration).find((d) => d.getName() === fileVar);
  if (!decl) return false;
  const forOf = decl.getParent()?.getParent();
  const source = forOf && Node.isForOfStatement(forOf) && forOf.getInitializer() === decl.getParent() ? forOf.getExpression() : decl.getInitializer();
  if (!source) return false;
  const call = stripCasts(source);
  if (!Node.isCallExpression(call)) return false;
  const callee = call.getExpression();
  if (!Node.isPropertyAccessExpression(callee) || !['get', 'getAll'].includes(callee.getName()) || !Node.isIdentifier(callee.getExpression())) return false;
  return formFromRequest(fn, callee.getExpression().getText());
}

/**
 * `await data.file.arrayBuffer()` in a server action whose argument carries the File (`uploadFile({ file })` from a
 * form): the same whole upload as a FormData part, reached through the argument. Only reported: which object the
 * path names at the upload is not followed here.
 */
function actionArgumentFile(read: AwaitExpression, receiver: Node): PlanOutcome {
  let root = receiver;
  while (Node.isPropertyAccessExpression(root)) root = root.getExpression();
  const fn = enclosingFunction(read);
  if (!fn || !Node.isIdentifier(root) || !isServerAction(fn)) return undefined;
  const params = (fn as Node & { getParameters?(): Array<{ getName(): string }> }).getParameters?.() ?? [];
  if (!params.some((p) => p.getName() === root.getText())) return undefined;
  return { problem: `${receiver.getText()} is a File passed to this server action; Next.js has already buffered the whole request (up to serverActions.bodySizeLimit) before the action runs, and the copy here doubles it while the upload runs` };
}

export function planFor(read: AwaitExpression): PlanOutcome {
  const call = read.getExpression();
  if (!Node.isCallExpression(call)) return undefined;
  const callee = call.getExpression();
  if (!Node.isPropertyAccessExpression(callee) || callee.getName() !== 'arrayBuffer') return undefined;
  if (!Node.isIdentifier(callee.getExpression())) return actionArgumentFile(read, callee.getExpression());
  const fileVar = callee.getExpression().getText();
  const fn = enclosingFunction(read);
  // A multipart File (route handler or server action), not a raw body read for a signature check.
  if (!fn || !/\.formData\s*\(\s*\)|:\s*FormData\b/.test(fn.getText())) return undefined;
  // Bytes fetched from storage or another service (a JSON body naming a file id) are not this request's upload.
  if (!fileFromRequestBody(fn, fileVar)) return { skip: `${fileVar}.arrayBuffer() reads bytes that do not come from the request's multipart body (${fileVar} is not a part of the request's formData()): not an upload route, left alone` };
  const first = read.getFirstAncestor((a) => Node.isStatement(a) && Node.isBlock(a.getParent()));
  if (!first) return { problem: 'the read is not a statement of a block' };
  const stmts = (first.getParent() as Node & { getStatements(): Statement[] }).getStatements();
  const i = stmts.indexOf(first as Statement);
  const tainted = new Set(declaredNames(first));
  const declaredAt = new Map<string, number>();
  const byteStmts = new Set([i]);
  const otherUses: Statement[] = [];
  for (let j = i; j < stmts.length; j++) {
    const s = stmts[j]!;
    const mentions = (n: Node) => (j === i ? n.getStart() <= read.getStart() && n.getEnd() >= read.getEnd() : referencedNames(n).some((x) => tainted.has(x)));
    const upload = s.getDescendantsOfKind(SyntaxKind.CallExpression).find((c) => isUploadCall(c, mentions));
    if (upload) return { read, fileVar, stmts, i, j, upload, byteStmts, otherUses };
    if (j === i && !isCarrier(s, read)) otherUses.push(s);
    for (const n of declaredNames(s)) if (!declaredAt.has(n)) declaredAt.set(n, j);
    if (j > i && referencedNames(s).some((x) => tainted.has(x))) {
      if (!isCarrier(s)) {
        otherUses.push(s);
        continue;
      }
      // `chunks.push(buf.slice(…))` taints chunks (and its declaration); a declaration fed from the bytes taints its names.
      byteStmts.add(j);
      for (const n of [...declaredNames(s), ...referencedNames(s).filter((x) => declaredAt.has(x))]) {
        tainted.add(n);
        byteStmts.add(declaredAt.get(n)!);
      }
    }
  }
  // `form.append('image', buffer, name)` then `await post(url, form)`: the bytes travel inside a FormData.
  const appended = stmts.slice(i + 1).flatMap((st) => st.getDescendantsOfKind(SyntaxKind.CallExpression)).find((c) => {
    const callee = c.getExpression();
    return Node.isPropertyAccessExpression(callee) && callee.getName() === 'append' && c.getArguments().some((a) => referencedNames(a).some((x) => tainted.has(x)));
  });
  if (appended) return { problem: `the bytes reach the request that sends them through ${appended.getExpression().getText()}(…) (a FormData), which is not followed` };
  return { problem: 'no awaited call in the same block receives the bytes' };
}

/** Is `target` (where the bytes enter the upload) nothing but the bytes: the read or a byte name, under copies at
 * most? `validate(buffer)` or `sha(buffer)` there is another use, and streaming would drop it. */
export function onlyBytes(plan: Plan, target: Node): boolean {
  const readCall = plan.read.getExpression();
  const calls = target.getDescendantsOfKind(SyntaxKind.CallExpression).concat(Node.isCallExpression(target) ? [target] : []);
  // `Readable.from(buffer)` only turns the bytes into a stream: the streamed part replaces it as a whole.
  return calls.every((c) => c === readCall || CARRIER_CALL.test(calleeText(c)) || /^(?:stream\.)?Readable\.from$/.test(calleeText(c)));
}

/** A `return` of the function itself among these statements (not one inside a nested function). */
export function returnsFrom(fn: Node, stmts: Statement[]): boolean {
  return stmts.some((s) => s.getDescendantsOfKind(SyntaxKind.ReturnStatement).some((r) => enclosingFunction(r) === fn));
}
