/**
 * The busboy rewrite of a route handler: formData() → readMultipartFile, the File's guards kept (instanceof,
 * empty, a size limit that becomes maxBytes), the bytes streamed into the upload. Nothing else may read the form
 * or the bytes: a client may send other fields after the file, and a validator needs the bytes whole.
 */
import { Node, SyntaxKind, type CallExpression, type Statement } from 'ts-morph';
import { enclosingFunction, type Edit } from '../ast.ts';
import type { Handler } from './handler.ts';
import { otherUsesText } from './messages.ts';
import { byteNames, nonCarriers, onlyBytes, usedIn, type Plan } from './plan.ts';

const OTHER_FIELDS = 'it reads other form fields (or uses the form beyond one .get() of the file), which a client may send after the file: a streaming parser would have to buffer the file to reach them';

export interface Streaming {
  edits: Edit[];
  field: string;
  /** The response the route gave for a too-large file (its size guard), reused for FileTooLargeError. */
  tooLarge?: string;
}

export function receiverText(call: CallExpression): string {
  const callee = call.getExpression();
  return Node.isPropertyAccessExpression(callee) ? callee.getExpression().getText() : '';
}

/** A reason instead when the handler uses the form, the File or the bytes in a way a streamed part cannot answer. */
export function streamingEdits(plan: Plan, h: Handler, target: Node): Streaming | { reason: string } {
  const { formVar } = h;
  const fileVar = plan.fileVar;
  if (!formVar) return { reason: 'the form is not held in one variable' };
  const fn = enclosingFunction(plan.read)!;
  const ids = (name: string) => fn.getDescendantsOfKind(SyntaxKind.Identifier).filter((id) => id.getText() === name && !(Node.isPropertyAccessExpression(id.getParent()!) && (id.getParent() as Node & { getNameNode(): Node }).getNameNode() === id));
  const edits: Edit[] = [];
  // The form: declared/assigned once, read once as `const file = form.get('field')`.
  let fileDecl: Statement | undefined;
  let field: string | undefined;
  for (const id of ids(formVar)) {
    const p = id.getParent()!;
    if (Node.isVariableDeclaration(p) && p.getNameNode() === id) {
      const stmt = p.getVariableStatement();
      if (!stmt) return { reason: 'the form variable is declared in a way this codemod does not rewrite' };
      if (p.getInitializer()) edits.push({ start: id.getStart(), end: id.getEnd(), text: fileVar });
      else edits.push({ start: p.getStart(), end: p.getEnd(), text: `${fileVar}: StreamedFile | null` });
      continue;
    }
    if (Node.isBinaryExpression(p) && p.getLeft() === id) {
      edits.push({ start: id.getStart(), end: id.getEnd(), text: fileVar });
      continue;
    }
    const get = p.getParent();
    if (Node.isPropertyAccessExpression(p) && p.getName() === 'get' && get && Node.isCallExpression(get) && get.getArguments().length === 1 && Node.isStringLiteral(get.getArguments()[0]!) && !fileDecl) {
      let up: Node = get;
      while (Node.isAsExpression(up.getParent()!) || Node.isParenthesizedExpression(up.getParent()!)) up = up.getParent()!;
      const decl = up.getParent();
      if (!decl || !Node.isVariableDeclaration(decl) || decl.getName() !== fileVar) return { reason: OTHER_FIELDS };
      const stmt = decl.getVariableStatement();
      if (!stmt || stmt.getDeclarations().length !== 1 || !Node.isBlock(stmt.getParent())) return { reason: "the form is read other than as one `const <file> = form.get('<field>')`" };
      fileDecl = stmt;
      field = (get.getArguments()[0] as Node & { getLiteralValue(): string }).getLiteralValue();
      edits.push({ start: stmt.getFullStart(), end: stmt.getEnd(), text: '' });
      continue;
    }
    return { reason: OTHER_FIELDS };
  }
  if (!fileDecl || field === undefined) return { reason: "the file is not read from the form with one .get('<field>')" };
  const uploadStmt = plan.stmts[plan.j]!;
  let maxBytes: string | undefined;
  let tooLarge: string | undefined;
  const stmts = h.body.getStatements();
  for (const id of ids(fileVar)) {
    if (fileDecl.getStart() <= id.getStart() && id.getEnd() <= fileDecl.getEnd()) continue;
    if (plan.read.getStart() <= id.getStart() && id.getEnd() <= plan.read.getEnd()) continue;
    const p = id.getParent()!;
    const member = Node.isPropertyAccessExpression(p) && p.getExpression() === id ? p.getName() : undefined;
    if (member === 'name' || member === 'type') continue;
    if (member === 'size') {
      if (id.getStart() >= uploadStmt.getStart()) continue; // after the stream has ended: the file's size
      const cmp = p.getParent();
      const guard = id.getFirstAncestorByKind(SyntaxKind.IfStatement);
      if (!guard || !cmp) return { reason: "the file's size is checked in a shape this codemod does not turn into maxBytes" };
      const text = cmp.getText().replace(/\s+/g, ' ');
      const size = `${fileVar}.size`;
      // Empty-file checks hold as written: size is 0 exactly when the part is empty once readMultipartFile resolved.
      if ([`${size} === 0`, `${size} == 0`, `${size} < 1`, `${size} <= 0`].includes(text) || (Node.isPrefixUnaryExpression(cmp) && cmp.getOperatorToken() === SyntaxKind.ExclamationToken)) continue;
      const limit = new RegExp(`^${size.replace('.', '\\.')} (>=?) (.+)$`).exec(text) ?? (/^(.+) (<=?) /.exec(text) && new RegExp(`^(.+) (<=?) ${size.replace('.', '\\.')}$`).exec(text));
      if (!limit || maxBytes !== undefined || guard.getExpression() !== cmp || guard.getElseStatement() || !stmts.includes(guard)) return { reason: "the file's size is checked in a shape this codemod does not turn into maxBytes" };
      const then = guard.getThenStatement();
      const ret = Node.isReturnStatement(then) ? then : Node.isBlock(then) && then.getStatements().length === 1 && Node.isReturnStatement(then.getStatements()[0]!) ? then.getStatements()[0]! : undefined;
      if (!ret || !Node.isReturnStatement(ret) || !ret.getExpression()) return { reason: "the file's size is checked in a shape this codemod does not turn into maxBytes" };
      const [op, bound] = text.startsWith(size) ? [limit[1]!, limit[2]!] : [limit[2]! === '<' ? '>' : '>=', limit[1]!];
      maxBytes = op === '>' ? bound : `${bound} - 1`;
      tooLarge = ret.getExpression()!.getText();
      edits.push({ start: guard.getFullStart(), end: guard.getEnd(), text: '' });
      continue;
    }
    if (Node.isBinaryExpression(p) && p.getLeft() === id && p.getOperatorToken().getKind() === SyntaxKind.InstanceOfKeyword && p.getRight().getText() === 'File') {
      let outer: Node = p;
      while (Node.isParenthesizedExpression(outer.getParent()!)) outer = outer.getParent()!;
      const not = outer.getParent();
      if (outer !== p && not && Node.isPrefixUnaryExpression(not) && not.getOperatorToken() === SyntaxKind.ExclamationToken) edits.push({ start: not.getStart(), end: not.getEnd(), text: `!${fileVar}` });
      else edits.push({ start: p.getStart(), end: p.getEnd(), text: `${fileVar} !== null` });
      continue;
    }
    // Anything else (file.stream(), file.slice(), passing the File on) needs a real File.
    return { reason: 'the handler uses the File itself beyond its name, type and size (a streamed part is not a File)' };
  }
  const { stmts: block, j } = plan;
  // The bytes are checked, hashed or logged before the upload, or needed after it: they must exist whole.
  if (plan.otherUses.length > 0) return { reason: `${otherUsesText(plan)} reads the whole bytes before the upload` };
  if (!onlyBytes(plan, target)) return { reason: `\`${target.getText().slice(0, 60)}\` changes the bytes on their way to the upload` };
  if (usedIn(byteNames(plan), nonCarriers(plan), target)) return { reason: 'the bytes are also used after the read for something besides the upload' };
  for (const k of plan.byteStmts) if (k < j) edits.push({ start: block[k]!.getFullStart(), end: block[k]!.getEnd(), text: '' });
  const stream = `${fileVar}.stream`;
  if (Node.isShorthandPropertyAssignment(target)) edits.push({ start: target.getStart(), end: target.getEnd(), text: `${target.getName()}: ${stream}` });
  else edits.push({ start: target.getStart(), end: target.getEnd(), text: stream });
  const opts = maxBytes ? `, { maxBytes: ${maxBytes} }` : '';
  edits.push({ start: h.formCall.getStart(), end: h.formCall.getEnd(), text: `readMultipartFile(${receiverText(h.formCall)}, ${JSON.stringify(field).replace(/"/g, "'")}${opts})` });
  return { edits, field, tooLarge };
}
