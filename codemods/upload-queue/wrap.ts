/**
 * Edits that move code inside `withUploadSlot`: the whole tail of a route handler (the body is read only once a
 * slot is free), or, outside a handler, the statements from the read to the upload.
 */
import { Node, SyntaxKind, type AwaitExpression, type SourceFile, type Statement } from 'ts-morph';
import { eolOf, indentOf, indentUnit, type Edit } from '../ast.ts';
import { outside, spliceText } from '../lib/edits.ts';
import type { Handler } from './handler.ts';
import { declaredNames, returnsFrom, usedIn, type Plan } from './plan.ts';

export function reindent(text: string, extra: string, eol: string): string {
  return text
    .split(/\r?\n/)
    .map((line, k) => (k === 0 || line.trim() === '' ? line : extra + line))
    .join(eol);
}

/** Re-indenting would change the text of a multi-line template literal: such code keeps its indentation. */
function hasMultilineTemplate(stmts: Statement[]): boolean {
  return stmts.some((s) => [...s.getDescendantsOfKind(SyntaxKind.TemplateExpression), ...s.getDescendantsOfKind(SyntaxKind.NoSubstitutionTemplateLiteral)].some((t) => /\n/.test(t.getText())));
}

/** The moved statements' text; the memo's chunk-and-concat collapses into one Buffer.from (a copy less each),
 * unless something between the read and the upload also looks at the bytes (then every statement stays). */
export function movedText(plan: Plan, sf: SourceFile): { text: string; collapsed: boolean } {
  const { stmts, i, j } = plan;
  if (j === i) return { text: '', collapsed: false };
  const full = sf.getFullText();
  let from = i;
  let prefix = '';
  let collapsed = false;
  for (let k = j - 1; k > i && plan.otherUses.length === 0; k--) {
    const s = stmts[k]!;
    if (!Node.isVariableStatement(s) || s.getDeclarations().length !== 1) continue;
    const d = s.getDeclarations()[0]!;
    const init = d.getInitializer();
    if (!init || !/^Buffer\.concat\s*\(/.test(init.getText()) || !Node.isIdentifier(d.getNameNode())) continue;
    const gone = new Set(stmts.slice(i, k).flatMap(declaredNames));
    if (usedIn(gone, stmts.slice(k + 1))) break;
    prefix = `${s.getDeclarationKind()} ${d.getName()} = Buffer.from(${plan.read.getText()});`;
    from = k + 1;
    collapsed = true;
    break;
  }
  const rest = from < j ? full.slice(stmts[from]!.getStart(), stmts[j - 1]!.getEnd()) : '';
  const eol = eolOf(sf);
  const indent = indentOf(stmts[i]!);
  return { text: prefix && rest ? `${prefix}${eol}${indent}${rest}` : prefix || rest, collapsed };
}

/** Outside a route handler: `withUploadSlot(async () => { <read … upload> })` in place of the read through the upload. */
export function wrapEdit(plan: Plan, sf: SourceFile): { edit: Edit; collapsed: boolean } | { problem: string } {
  const { stmts, i, j } = plan;
  const su = stmts[j]!;
  const fn = plan.read.getFirstAncestor((a) => Node.isFunctionLikeDeclaration(a));
  // A `return` moved into the callback would return from the callback, not from the function.
  if (fn && returnsFrom(fn, stmts.slice(i, j))) return { problem: 'a return between the read and the upload would then return from the slot callback, not from the function' };
  const eol = eolOf(sf);
  const indent = indentOf(stmts[i]!);
  const unit = indentUnit(sf);
  const moved = movedText(plan, sf);
  const shift = hasMultilineTemplate(stmts.slice(i, j + 1)) ? '' : unit;
  const body = moved.text ? `${indent}${unit}${reindent(moved.text, shift, eol)}${eol}` : '';
  const open = 'withUploadSlot(async () => {';
  let head: string;
  let last: string;
  if (Node.isVariableStatement(su) && su.getDeclarations().length === 1) {
    const d = su.getDeclarations()[0]!;
    const init = d.getInitializer();
    if (!init || !Node.isAwaitExpression(init) || !init.getExpression().getText().includes(plan.upload.getText())) return { problem: 'the upload is not `const x = await upload(…)`' };
    const type = d.getTypeNode() ? `: ${d.getTypeNode()!.getText()}` : '';
    head = `${su.getDeclarationKind()} ${d.getNameNode().getText()}${type} = await ${open}`;
    last = `return ${init.getExpression().getText()};`;
  } else if (Node.isExpressionStatement(su) && Node.isAwaitExpression(su.getExpression())) {
    head = `await ${open}`;
    last = `${su.getExpression().getText()};`;
  } else if (Node.isReturnStatement(su) && su.getExpression() && Node.isAwaitExpression(su.getExpression())) {
    head = `return ${open}`;
    last = `return ${(su.getExpression() as AwaitExpression).getExpression().getText()};`;
  } else {
    return { problem: 'the upload statement has a shape this codemod does not rewrite' };
  }
  // Declarations moved into the callback must not be needed after it.
  const inside = new Set(stmts.slice(i, j).flatMap(declaredNames));
  if (usedIn(inside, stmts.slice(j + 1))) return { problem: 'names declared between the read and the upload are used after it' };
  const text = `${head}${eol}${body}${indent}${unit}${reindent(last, shift, eol)}${eol}${indent}});`;
  return { edit: { start: stmts[i]!.getStart(), end: su.getEnd(), text }, collapsed: moved.collapsed };
}

/** The handler's tail, from the body read to the end, inside withUploadSlot; busy → 503 (and too large → 413).
 * Every `return` of the tail still returns from the handler: the wrapper returns what the callback returns. */
export function tailWrap(h: Handler, sf: SourceFile, inner: Edit[], errors: Array<{ cls: string; response: string }>): Edit | undefined {
  const stmts = h.body.getStatements();
  const first = stmts[h.start]!;
  const last = stmts[stmts.length - 1]!;
  const start = first.getStart();
  const end = last.getEnd();
  if (outside(inner, start, end)) return undefined;
  const eol = eolOf(sf);
  const indent = indentOf(first);
  const unit = indentUnit(sf);
  const shift = hasMultilineTemplate(stmts.slice(h.start)) ? '' : unit + unit;
  const tail = spliceText(sf.getFullText().slice(start, end), start, inner).trimStart();
  const catches = errors.map((e) => `${indent}${unit}if (err instanceof ${e.cls}) return ${e.response};${eol}`).join('');
  const text =
    `try {${eol}` +
    `${indent}${unit}return await withUploadSlot(async () => {${eol}` +
    `${indent}${unit}${unit}${reindent(tail, shift, eol)}${eol}` +
    `${indent}${unit}});${eol}` +
    `${indent}} catch (err) {${eol}` +
    catches +
    `${indent}${unit}throw err;${eol}` +
    `${indent}}`;
  return { start, end, text };
}
