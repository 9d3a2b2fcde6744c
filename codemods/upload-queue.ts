/**
 * upload-queue: a route that reads a multipart File whole (`await file.arrayBuffer()`, maybe "chunked" and
 * `Buffer.concat`-ed again) and hands the buffer to an uploader. Where the uploader provably takes a stream
 * (googleapis `media: { body }`), the File is streamed to it; everywhere else the read and the upload run inside
 * `withUploadSlot` (at most UPLOAD_MAX_CONCURRENCY at once), which caps peak memory at limit × file size, and a
 * candidate says that streaming needs the uploader to accept a stream.
 */
import { Node, SyntaxKind, type AwaitExpression, type CallExpression, type SourceFile, type Statement } from 'ts-morph';
import { applyEdits, dropUnusedNamedImport, emptyResult, ensureNamedImport, eolOf, indentOf, indentUnit, noteAt, referencedNames, type Edit } from './ast.ts';
import type { ChangeNote, Codemod, CodemodContext } from './types.ts';

const MEMO =
  "the memo's fix 7 (1 MB chunks, then Buffer.concat) saves nothing: arrayBuffer() has already put the whole file in memory, and slicing it into Buffers and concatenating them copies it twice more, so peak memory rises; what bounds memory is not copying (streaming) and capping concurrent uploads";
const CHUNKING_NOTE =
  "chunking it into 1 MB slices (the memo's fix 7) would not help: the arrayBuffer is already whole in memory, and the slices plus Buffer.concat copy it again";
const FORMDATA_CAVEAT =
  'request.formData() itself still holds each multipart body in memory; for bodies beyond memory, parse the request with a streaming multipart parser (busboy) and pipe the part';

/** Calls that only move bytes around in memory, never the upload itself. */
const IN_MEMORY_CALL = /^(?:Buffer\.\w+|Uint8Array\.from|new\s)|\.(?:push|slice|subarray|set|copy|concat|toString|byteLength|from|fill)$/;

interface Plan {
  read: AwaitExpression;
  fileVar: string;
  stmts: Statement[];
  /** Index of the statement that reads the File, and of the one that uploads it. */
  i: number;
  j: number;
  upload: CallExpression;
  /** Indices of the statements that carry the bytes from the read to the upload (the read included). */
  byteStmts: Set<number>;
}

function declaredNames(stmt: Node): string[] {
  return stmt.getDescendantsOfKind(SyntaxKind.VariableDeclaration).flatMap((d) => {
    const n = d.getNameNode();
    return Node.isIdentifier(n) ? [n.getText()] : n.getDescendantsOfKind(SyntaxKind.Identifier).map((id) => id.getText());
  });
}

function isUploadCall(call: CallExpression, mentions: (n: Node) => boolean): boolean {
  if (IN_MEMORY_CALL.test(call.getExpression().getText().replace(/\s+/g, ''))) return false;
  if (!Node.isAwaitExpression(call.getParent())) return false;
  return call.getArguments().some(mentions);
}

/** From a whole-file read, follow the bytes through local names to the awaited call that receives them. */
function planFor(read: AwaitExpression): Plan | { problem: string } | undefined {
  const call = read.getExpression();
  if (!Node.isCallExpression(call)) return undefined;
  const callee = call.getExpression();
  if (!Node.isPropertyAccessExpression(callee) || callee.getName() !== 'arrayBuffer' || !Node.isIdentifier(callee.getExpression())) return undefined;
  const fileVar = callee.getExpression().getText();
  const fn = read.getFirstAncestor((a) => Node.isFunctionDeclaration(a) || Node.isArrowFunction(a) || Node.isFunctionExpression(a) || Node.isMethodDeclaration(a));
  // A multipart File (route handler or server action), not a raw body read for a signature check.
  if (!fn || !/\.formData\s*\(\s*\)|:\s*FormData\b/.test(fn.getText())) return undefined;
  const first = read.getFirstAncestor((a) => Node.isStatement(a) && Node.isBlock(a.getParent()));
  if (!first) return { problem: 'the read is not a statement of a block' };
  const stmts = (first.getParent() as Node & { getStatements(): Statement[] }).getStatements();
  const i = stmts.indexOf(first as Statement);
  const tainted = new Set(declaredNames(first));
  const declaredAt = new Map<string, number>();
  const byteStmts = new Set([i]);
  for (let j = i; j < stmts.length; j++) {
    const s = stmts[j]!;
    const mentions = (n: Node) => (j === i ? n.getStart() <= read.getStart() && n.getEnd() >= read.getEnd() : referencedNames(n).some((x) => tainted.has(x)));
    const upload = s.getDescendantsOfKind(SyntaxKind.CallExpression).find((c) => isUploadCall(c, mentions));
    if (upload) return { read, fileVar, stmts, i, j, upload, byteStmts };
    for (const n of declaredNames(s)) if (!declaredAt.has(n)) declaredAt.set(n, j);
    if (j > i && referencedNames(s).some((x) => tainted.has(x))) {
      // `chunks.push(buf.slice(…))` taints chunks (and its declaration); a declaration fed from the bytes taints its names.
      byteStmts.add(j);
      for (const n of [...declaredNames(s), ...referencedNames(s).filter((x) => declaredAt.has(x))]) {
        tainted.add(n);
        byteStmts.add(declaredAt.get(n)!);
      }
    }
  }
  return { problem: 'no awaited call in the same block receives the bytes' };
}

/** Imported functions known to take a Node Readable at one argument: module, export name, argument index. */
const STREAM_SINKS: Array<{ modules: string[]; name: string; arg: number }> = [
  { modules: ['@vercel/blob'], name: 'put', arg: 1 },
  // fs.promises.writeFile accepts a Stream / AsyncIterable as its data (Node >= 15).
  { modules: ['node:fs/promises', 'fs/promises'], name: 'writeFile', arg: 1 },
];

function importedAs(callee: Node, modules: string[], name: string): boolean {
  return callee
    .getSourceFile()
    .getImportDeclarations()
    .some((d) => modules.includes(d.getModuleSpecifierValue()) && d.getNamedImports().some((n) => n.getName() === name && (n.getAliasNode() ?? n.getNameNode()).getText() === callee.getText()));
}

/** The argument that carries the bytes, where the uploader provably takes a Node Readable there:
 * googleapis `media: { body }` (drive.files.create/update), and the STREAM_SINKS. */
function streamBody(plan: Plan): Node | undefined {
  const carriesBytes = (n: Node) => {
    const names = new Set([...plan.byteStmts].filter((k) => k < plan.j).flatMap((k) => declaredNames(plan.stmts[k]!)));
    return (n.getStart() <= plan.read.getStart() && n.getEnd() >= plan.read.getEnd()) || referencedNames(n).some((x) => names.has(x));
  };
  for (const a of plan.upload.getDescendantsOfKind(SyntaxKind.PropertyAssignment)) {
    if (a.getName() !== 'body') continue;
    const media = a.getParent()?.getParent();
    if (!media || !Node.isPropertyAssignment(media) || media.getName() !== 'media') continue;
    const body = a.getInitializer();
    return body && carriesBytes(body) ? body : undefined;
  }
  const callee = plan.upload.getExpression();
  if (!Node.isIdentifier(callee)) return undefined;
  const sink = STREAM_SINKS.find((k) => importedAs(callee, k.modules, k.name));
  const body = sink ? plan.upload.getArguments()[sink.arg] : undefined;
  return body && carriesBytes(body) ? body : undefined;
}

function usedIn(names: Set<string>, nodes: Node[], except?: Node): boolean {
  return nodes.some((n) =>
    n.getDescendantsOfKind(SyntaxKind.Identifier).some((id) => names.has(id.getText()) && !(except && id.getStart() >= except.getStart() && id.getEnd() <= except.getEnd())),
  );
}

function reindent(text: string, extra: string, eol: string): string {
  return text
    .split(/\r?\n/)
    .map((line, k) => (k === 0 || line.trim() === '' ? line : extra + line))
    .join(eol);
}

/** The moved statements' text; the memo's chunk-and-concat collapses into one Buffer.from (a copy less each). */
function movedText(plan: Plan, sf: SourceFile): { text: string; collapsed: boolean } {
  const { stmts, i, j } = plan;
  if (j === i) return { text: '', collapsed: false };
  const full = sf.getFullText();
  let from = i;
  let prefix = '';
  let collapsed = false;
  for (let k = j - 1; k > i; k--) {
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

function wrapEdit(plan: Plan, sf: SourceFile): { edit: Edit; collapsed: boolean } | { problem: string } {
  const { stmts, i, j } = plan;
  const su = stmts[j]!;
  const eol = eolOf(sf);
  const indent = indentOf(stmts[i]!);
  const unit = indentUnit(sf);
  const moved = movedText(plan, sf);
  // Re-indenting would change the text of a multi-line template literal: leave such lines where they are.
  const multiline = stmts
    .slice(i, j + 1)
    .some((s) => [...s.getDescendantsOfKind(SyntaxKind.TemplateExpression), ...s.getDescendantsOfKind(SyntaxKind.NoSubstitutionTemplateLiteral)].some((t) => /\n/.test(t.getText())));
  const shift = multiline ? '' : unit;
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

function insideUploadSlot(node: Node): boolean {
  return node.getAncestors().some((a) => Node.isCallExpression(a) && a.getExpression().getText() === 'withUploadSlot');
}

function calleeName(call: CallExpression): string {
  return call.getExpression().getText().replace(/\s+/g, '');
}

function transformFile(ctx: CodemodContext, sf: SourceFile, result: ReturnType<typeof emptyResult>): void {
  const edits: Edit[] = [];
  const changes: ChangeNote[] = [];
  const names = new Set<string>();
  /** Imports the replaced expressions used (Readable for `Readable.from(buffer)`): dropped if now unused. */
  const maybeUnused = new Set<string>();
  for (const read of sf.getDescendantsOfKind(SyntaxKind.AwaitExpression)) {
    const plan = planFor(read);
    if (!plan) continue;
    if ('problem' in plan) {
      result.candidates.push(noteAt(ctx, read, `whole upload read into memory with arrayBuffer(), not rewritten (${plan.problem}): stream the File to its destination, or wrap read and upload in withUploadSlot`));
      continue;
    }
    const uploader = calleeName(plan.upload);
    if (insideUploadSlot(read)) {
      result.candidates.push(noteAt(ctx, plan.upload, `${uploader}() runs inside withUploadSlot already; streaming (no full copy at all) needs ${uploader}() to accept a stream (pass fileToNodeStream(${plan.fileVar}))`));
      continue;
    }
    const body = streamBody(plan);
    const { stmts, j } = plan;
    const byteNames = new Set([...plan.byteStmts].filter((k) => k < j).flatMap((k) => declaredNames(stmts[k]!)));
    const others = stmts.filter((_, k) => !plan.byteStmts.has(k) || k >= j);
    if (body && !usedIn(byteNames, others, body)) {
      // The uploader takes a Readable: drop the read, stream the File, and still cap concurrent uploads.
      const full = sf.getFullText();
      const awaitNode = plan.upload.getParent() as AwaitExpression;
      const call = full.slice(plan.upload.getStart(), body.getStart()) + `fileToNodeStream(${plan.fileVar})` + full.slice(body.getEnd(), plan.upload.getEnd());
      edits.push({ start: awaitNode.getStart(), end: awaitNode.getEnd(), text: `await withUploadSlot(() => ${call})` });
      for (const k of plan.byteStmts) if (k < j) edits.push({ start: stmts[k]!.getFullStart(), end: stmts[k]!.getEnd(), text: '' });
      names.add('withUploadSlot').add('fileToNodeStream');
      for (const n of referencedNames(body)) maybeUnused.add(n);
      changes.push(
        noteAt(ctx, plan.upload, `${uploader}(): the File is streamed (fileToNodeStream(${plan.fileVar}), 256 KB pieces read as the upload consumes them) instead of an arrayBuffer() copy (${CHUNKING_NOTE}), and at most UPLOAD_MAX_CONCURRENCY (default 3) uploads run at once; ${FORMDATA_CAVEAT}`, MEMO),
      );
      continue;
    }
    const wrap = wrapEdit(plan, sf);
    if ('problem' in wrap) {
      result.candidates.push(noteAt(ctx, read, `whole upload read into memory before ${uploader}(), not rewritten (${wrap.problem}): wrap read and upload in withUploadSlot by hand`));
      continue;
    }
    edits.push(wrap.edit);
    names.add('withUploadSlot');
    changes.push(
      noteAt(
        ctx,
        plan.upload,
        `${plan.fileVar}.arrayBuffer() + ${uploader}() run inside withUploadSlot: at most UPLOAD_MAX_CONCURRENCY (default 3) uploads hold a file in memory at once, a bounded wait then UploadBusyError; ${wrap.collapsed ? 'the 1 MB chunk-and-Buffer.concat step is gone (one copy instead of three): the arrayBuffer was already whole in memory, and the slices plus Buffer.concat copied it again' : CHUNKING_NOTE}`,
        MEMO,
      ),
    );
    result.candidates.push(
      noteAt(ctx, plan.upload, `${uploader}() takes the whole file as a buffer: streaming needs it to accept a stream (e.g. a Readable from fileToNodeStream(${plan.fileVar}) piped to its destination); until then peak memory is limit × file size; ${FORMDATA_CAVEAT}`),
    );
  }
  if (edits.length === 0) return;
  ensureNamedImport(sf, ctx.addTemplate('upload-stream', sf), [...names].sort(), edits);
  if (!applyEdits(sf, edits)) {
    result.failures.push(noteAt(ctx, sf, 'overlapping upload reads; bound them by hand'));
    return;
  }
  for (const n of maybeUnused) dropUnusedNamedImport(sf, n);
  result.changes.push(...changes);
}

export const uploadQueue: Codemod = {
  id: 'upload-queue',
  title: 'Stream multipart uploads (or bound concurrent in-memory uploads) instead of arrayBuffer() + chunking',
  prefilter: (text) => text.includes('.arrayBuffer()') && /formData|FormData/.test(text),
  transform(ctx) {
    const result = emptyResult();
    for (const sf of ctx.files) transformFile(ctx, sf, result);
    return result;
  },
};
