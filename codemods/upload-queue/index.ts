/**
 * upload-queue: a route that reads a multipart File of its own request whole (`await file.arrayBuffer()`, maybe
 * "chunked" and `Buffer.concat`-ed again) and hands the buffer to an uploader.
 *
 * In a route handler that reads its Request with `<req>.formData()`, the slot is taken before the body is read:
 * the handler's tail, from the body read on, runs inside `withUploadSlot` (UploadBusyError → 503 + Retry-After), so
 * bodies waiting for a slot stay unread in the socket (TCP back-pressure) and memory ≈ slots × file size. Where the
 * uploader takes a stream (the type checker, or a known API: googleapis `media.body`, @vercel/blob `put`,
 * fs/promises `writeFile`), the handler reads nothing but that one file from the form, and nothing else looks at
 * the bytes, formData() is replaced by busboy (`readMultipartFile`) and the part's stream goes to the uploader.
 * Bytes that are also validated, hashed, sized or logged stay whole (only the slot is added). Server actions get
 * their FormData already parsed: there the read and the upload go inside `withUploadSlot`.
 *
 * Files read from anywhere else (storage, another service: a route whose body only names a file) are not uploads.
 *
 * plan.ts follows the bytes; handler.ts finds the route handler; edits.ts (with streaming.ts, wrap.ts,
 * stream-target.ts) decides the edits; messages.ts words the notes.
 */
import { Node, SyntaxKind, type SourceFile } from 'ts-morph';
import { applyEdits, dropUnusedNamedImport, emptyResult, ensureNamedImport, noteAt, relPath, type Edit } from '../ast.ts';
import type { ChangeNote, Codemod, CodemodContext } from '../types.ts';
import { calleeName, handlerEdits, standaloneEdits, type SiteEdits } from './edits.ts';
import { formFileUploads } from './form-files.ts';
import { handlerFor } from './handler.ts';
import { planFor } from './plan.ts';
import { forgetReadableProbe } from './stream-target.ts';

type Result = ReturnType<typeof emptyResult>;

function insideUploadSlot(node: Node): boolean {
  return node.getAncestors().some((a) => Node.isCallExpression(a) && a.getExpression().getText() === 'withUploadSlot');
}

/** Every planned upload of one file: its edits, or a note saying why it is left alone. */
function sitesOf(ctx: CodemodContext, sf: SourceFile, result: Result): SiteEdits[] {
  const sites: SiteEdits[] = [];
  const handled = new Set<Node>();
  for (const read of sf.getDescendantsOfKind(SyntaxKind.AwaitExpression)) {
    const plan = planFor(read);
    if (!plan) continue;
    if ('skip' in plan) {
      result.notes.push(noteAt(ctx, read, plan.skip));
      continue;
    }
    if ('problem' in plan) {
      result.candidates.push(noteAt(ctx, read, `whole upload read into memory with arrayBuffer(), not rewritten (${plan.problem}): stream the File to its destination, or wrap read and upload in withUploadSlot`));
      continue;
    }
    const uploader = calleeName(plan);
    if (insideUploadSlot(read)) {
      result.candidates.push(noteAt(ctx, plan.upload, `${uploader}() runs inside withUploadSlot already; streaming (no full copy at all) needs ${uploader}() to accept a stream (pass fileToNodeStream(${plan.fileVar}))`));
      continue;
    }
    const handler = handlerFor(plan);
    if (handler && handled.has(handler.body)) {
      result.candidates.push(noteAt(ctx, read, 'a second whole-file read in the same handler, not rewritten: bound it by hand'));
      continue;
    }
    if (handler) handled.add(handler.body);
    const site = handler ? handlerEdits(ctx, sf, plan, handler) : standaloneEdits(ctx, sf, plan);
    if ('problem' in site) {
      result.candidates.push(noteAt(ctx, read, `whole upload read into memory before ${uploader}(), not rewritten (${site.problem}): wrap read and upload in withUploadSlot by hand`));
      continue;
    }
    sites.push(site);
  }
  return sites;
}

function transformFile(ctx: CodemodContext, sf: SourceFile, result: Result): void {
  for (const f of formFileUploads(sf, relPath(ctx, sf))) result.candidates.push(noteAt(ctx, f.at, f.reason));
  const sites = sitesOf(ctx, sf, result);
  if (sites.length === 0) return;
  const edits: Edit[] = sites.flatMap((s) => s.edits);
  const slotNames = [...new Set(sites.flatMap((s) => s.slotNames))].sort();
  const multipartNames = [...new Set(sites.flatMap((s) => s.multipartNames))].sort((a, b) => a.replace('type ', '').localeCompare(b.replace('type ', '')));
  if (multipartNames.length) ensureNamedImport(sf, ctx.addTemplate('multipart-stream', sf), multipartNames, edits);
  ensureNamedImport(sf, ctx.addTemplate('upload-stream', sf), slotNames, edits);
  if (!applyEdits(sf, edits)) {
    result.failures.push(noteAt(ctx, sf, 'overlapping upload reads; bound them by hand'));
    return;
  }
  for (const n of new Set(sites.flatMap((s) => s.maybeUnused))) dropUnusedNamedImport(sf, n);
  const changes: ChangeNote[] = sites.map((s) => s.change);
  result.changes.push(...changes);
  result.candidates.push(...sites.flatMap((s) => s.candidates));
}

export const uploadQueue: Codemod = {
  id: 'upload-queue',
  title: 'Stream multipart uploads with busboy (or read bodies only inside a bounded upload slot) instead of arrayBuffer() + chunking',
  // A File arrives in a request's form, or as a server action's argument.
  prefilter: (text) => (text.includes('.arrayBuffer()') && /formData|FormData|['"]use server['"]/.test(text)) || (text.includes('.formData()') && /\bas\s+(?:File|Blob)\b/.test(text)),
  transform(ctx) {
    const result = emptyResult();
    try {
      for (const sf of ctx.files) transformFile(ctx, sf, result);
    } finally {
      forgetReadableProbe(ctx.project);
    }
    return result;
  },
};
