/**
 * The edits for one planned upload: in a route handler (slot before the body is read; busboy where the uploader
 * takes a stream), or elsewhere (a server action: the read and the upload inside the slot, the File streamed into
 * a known stream sink). Each function returns what it would change, or the reason it changes nothing.
 */
import { Node, type AwaitExpression, type SourceFile } from 'ts-morph';
import { noteAt, referencedNames, type Edit } from '../ast.ts';
import type { ChangeNote, CodemodContext } from '../types.ts';
import type { Handler } from './handler.ts';
import { FORMDATA_CAVEAT, MEMO as MEMO_REF, notStreamedWhy, slottedAction, slottedInHandler, streamedAction, streamedInHandler } from './messages.ts';
import { byteNames, nonCarriers, onlyBytes, usedIn, type Plan } from './plan.ts';
import { streamBody, streamTarget } from './stream-target.ts';
import { receiverText, streamingEdits } from './streaming.ts';
import { movedText, tailWrap, wrapEdit } from './wrap.ts';

export interface SiteEdits {
  edits: Edit[];
  /** Names the file must import from the upload-stream template, and from multipart-stream. */
  slotNames: string[];
  multipartNames: string[];
  /** Imports the replaced expressions used (Readable for `Readable.from(buffer)`): dropped if now unused. */
  maybeUnused: string[];
  change: ChangeNote;
  candidates: ChangeNote[];
}

export function calleeName(plan: Plan): string {
  return plan.upload.getExpression().getText().replace(/\s+/g, '');
}

function responseClass(sf: SourceFile): string {
  return sf.getImportDeclarations().some((d) => d.getModuleSpecifierValue() === 'next/server' && d.getNamedImports().some((n) => n.getName() === 'NextResponse' && !n.isTypeOnly()) && !d.isTypeOnly()) ? 'NextResponse' : 'Response';
}

/** The known stream sink's argument, if the bytes have no use but the upload (then the File can be streamed). */
function streamableBody(plan: Plan): Node | undefined {
  const body = streamBody(plan);
  return body && plan.otherUses.length === 0 && onlyBytes(plan, body) && !usedIn(byteNames(plan), nonCarriers(plan), body) ? body : undefined;
}

/** A route handler that reads its Request's body: the slot is taken before the body is read (an unread body
 * waits in the socket), and where the uploader takes a stream the file part is streamed with busboy. */
export function handlerEdits(ctx: CodemodContext, sf: SourceFile, plan: Plan, h: Handler): SiteEdits | { problem: string } {
  const uploader = calleeName(plan);
  const R = responseClass(sf);
  const busy = { cls: 'UploadBusyError', response: `${R}.json({ error: err.message }, { status: 503, headers: { 'Retry-After': String(err.retryAfterSeconds) } })` };
  const reqText = receiverText(h.formCall);
  const problem = { problem: 'the handler tail could not be wrapped in withUploadSlot' };
  const target = streamTarget(plan, ctx.project);
  const attempt = target ? streamingEdits(plan, h, target) : undefined;
  const streaming = attempt && !('reason' in attempt) ? attempt : undefined;
  if (streaming) {
    // Without a size guard there is no maxBytes, so no FileTooLargeError to answer.
    const errors = streaming.tooLarge ? [busy, { cls: 'FileTooLargeError', response: streaming.tooLarge }] : [busy];
    const wrap = tailWrap(h, sf, streaming.edits, errors);
    if (!wrap) return problem;
    const multipartNames = ['readMultipartFile', ...(streaming.tooLarge ? ['FileTooLargeError'] : []), ...(h.formVar && streaming.edits.some((e) => e.text.includes('StreamedFile')) ? ['type StreamedFile'] : [])];
    return {
      edits: [wrap],
      slotNames: ['UploadBusyError', 'withUploadSlot'],
      multipartNames,
      maybeUnused: referencedNames(target!),
      change: noteAt(ctx, plan.upload, streamedInHandler(uploader, reqText, plan.fileVar, streaming.field, Boolean(streaming.tooLarge)), MEMO_REF),
      candidates: [],
    };
  }
  // The formData path stays, but inside the slot: bodies waiting for a slot stay unread in the socket.
  const inner: Edit[] = [];
  const slotNames = ['UploadBusyError', 'withUploadSlot'];
  const maybeUnused: string[] = [];
  const { stmts, i, j } = plan;
  const known = streamableBody(plan);
  let how: 'streamed' | 'collapsed' | 'kept' = 'kept';
  if (known) {
    inner.push({ start: known.getStart(), end: known.getEnd(), text: `fileToNodeStream(${plan.fileVar})` });
    for (const k of plan.byteStmts) if (k < j) inner.push({ start: stmts[k]!.getFullStart(), end: stmts[k]!.getEnd(), text: '' });
    slotNames.push('fileToNodeStream');
    maybeUnused.push(...referencedNames(known));
    how = 'streamed';
  } else {
    const moved = movedText(plan, sf);
    if (moved.collapsed) {
      inner.push({ start: stmts[i]!.getStart(), end: stmts[j - 1]!.getEnd(), text: moved.text });
      how = 'collapsed';
    }
  }
  const wrap = tailWrap(h, sf, inner, [busy]);
  if (!wrap) return problem;
  const why = notStreamedWhy(uploader, plan, attempt && 'reason' in attempt ? attempt.reason : undefined);
  const toStream = plan.otherUses.length
    ? `check a bounded prefix of the stream instead (e.g. the first bytes for a magic number) and pass the rest on`
    : target
      ? 'change what the reason above names (e.g. read other fields from readMultipartFile().fields, sent before the file)'
      : `let ${uploader}() accept a Readable`;
  return {
    edits: [wrap],
    slotNames,
    multipartNames: [],
    maybeUnused,
    change: noteAt(ctx, plan.upload, slottedInHandler(uploader, reqText, plan.fileVar, how, plan), MEMO_REF),
    candidates: [noteAt(ctx, plan.upload, `${uploader}(): not streamed because ${why}; memory is bounded by UPLOAD_MAX_CONCURRENCY × file size. To stream, ${toStream} and use readMultipartFile(${reqText}, …) (busboy)`)],
  };
}

/** Outside a route handler (a server action): the File streamed into a known sink, else read and upload in the slot. */
export function standaloneEdits(ctx: CodemodContext, sf: SourceFile, plan: Plan): SiteEdits | { problem: string } {
  const uploader = calleeName(plan);
  const { stmts, j } = plan;
  const body = streamableBody(plan);
  if (body) {
    // The uploader takes a Readable: drop the read, stream the File, and still cap concurrent uploads.
    const full = sf.getFullText();
    const awaitNode = plan.upload.getParent() as AwaitExpression;
    const call = full.slice(plan.upload.getStart(), body.getStart()) + `fileToNodeStream(${plan.fileVar})` + full.slice(body.getEnd(), plan.upload.getEnd());
    const edits: Edit[] = [{ start: awaitNode.getStart(), end: awaitNode.getEnd(), text: `await withUploadSlot(() => ${call})` }];
    for (const k of plan.byteStmts) if (k < j) edits.push({ start: stmts[k]!.getFullStart(), end: stmts[k]!.getEnd(), text: '' });
    return { edits, slotNames: ['withUploadSlot', 'fileToNodeStream'], multipartNames: [], maybeUnused: referencedNames(body), change: noteAt(ctx, plan.upload, streamedAction(uploader, plan.fileVar), MEMO_REF), candidates: [] };
  }
  const wrap = wrapEdit(plan, sf);
  if ('problem' in wrap) return wrap;
  return {
    edits: [wrap.edit],
    slotNames: ['withUploadSlot'],
    multipartNames: [],
    maybeUnused: [],
    change: noteAt(ctx, plan.upload, slottedAction(uploader, plan.fileVar, wrap.collapsed, plan), MEMO_REF),
    candidates: [
      noteAt(ctx, plan.upload, `${uploader}() takes the whole file as a buffer: streaming needs it to accept a stream (e.g. a Readable from fileToNodeStream(${plan.fileVar}) piped to its destination); until then peak memory is limit × file size; ${FORMDATA_CAVEAT}`),
    ],
  };
}
