/**
 * Files that reach an upload without `arrayBuffer()`: `const form = await req.formData()` in a route handler, a
 * File part (`form.getAll('files') as File[]`) handed to an awaited call. formData() has already read every part of
 * the body into memory by then, so concurrent uploads hold their whole files at once. Nothing here follows the
 * bytes (the uploader may stream the Blob), so this is reported, not rewritten.
 */
import { Node, SyntaxKind, type SourceFile } from 'ts-morph';
import { referencedNames } from '../ast.ts';
import { routeHandlerMethod } from '../lib/route-handler.ts';

export interface FormFileUpload {
  at: Node;
  reason: string;
}

const FILE_PART = /\.(?:get|getAll)\(\s*['"][^'"]+['"]\s*\)\s*as\s+(?:File|Blob)\b/;

export function formFileUploads(sf: SourceFile, relPath: string): FormFileUpload[] {
  const out: FormFileUpload[] = [];
  for (const fn of [...sf.getFunctions(), ...sf.getVariableDeclarations().map((v) => v.getInitializer()).filter((i) => i !== undefined)]) {
    if (!Node.isFunctionDeclaration(fn) && !Node.isArrowFunction(fn) && !Node.isFunctionExpression(fn)) continue;
    if (!routeHandlerMethod(fn, relPath)) continue;
    const text = fn.getText();
    // The arrayBuffer() path plans these itself; a slot already taken bounds them.
    if (text.includes('.arrayBuffer()') || text.includes('withUploadSlot')) continue;
    const formCall = fn.getDescendantsOfKind(SyntaxKind.CallExpression).find((c) => /^\w+\.formData$/.test(c.getExpression().getText()) && c.getArguments().length === 0);
    if (!formCall) continue;
    const parts = fn.getDescendantsOfKind(SyntaxKind.VariableDeclaration).filter((d) => FILE_PART.test(d.getInitializer()?.getText() ?? ''));
    const names = new Set(parts.map((d) => d.getName()));
    // `for (const file of files)` carries the part too.
    for (const loop of fn.getDescendantsOfKind(SyntaxKind.ForOfStatement)) {
      if (names.has(loop.getExpression().getText())) for (const n of referencedNames(loop.getInitializer())) names.add(n);
    }
    // The part itself as an argument (through casts): `upload(file)`, `upload(file as Blob)`; not `upload(file.name)`.
    const bare = (arg: Node): Node => (Node.isAsExpression(arg) || Node.isNonNullExpression(arg) || Node.isParenthesizedExpression(arg) ? bare(arg.getExpression()) : arg);
    const upload = fn.getDescendantsOfKind(SyntaxKind.AwaitExpression).map((a) => a.getExpression()).find((e) => Node.isCallExpression(e) && e.getArguments().some((arg) => Node.isIdentifier(bare(arg)) && names.has(bare(arg).getText())));
    if (!upload || !Node.isCallExpression(upload)) continue;
    out.push({
      at: formCall,
      reason: `${formCall.getText()} reads every part of the multipart body into memory before the handler sees one, and the files go to ${upload.getExpression().getText()}(): concurrent uploads hold their whole files at once. Take a slot before formData() (withUploadSlot), or stream the parts with busboy to an uploader that takes a stream, by hand`,
    });
  }
  return out;
}
