/** What upload-queue tells the user: one place for its wording. */
import type { Plan } from './plan.ts';

export const MEMO =
  "the memo's fix 7 (1 MB chunks, then Buffer.concat) saves nothing: arrayBuffer() has already put the whole file in memory, and slicing it into Buffers and concatenating them copies it twice more, so peak memory rises; what bounds memory is not copying (streaming) and capping concurrent uploads";
export const CHUNKING_NOTE =
  "chunking it into 1 MB slices (the memo's fix 7) would not help: the arrayBuffer is already whole in memory, and the slices plus Buffer.concat copy it again";
export const FORMDATA_CAVEAT =
  'request.formData() itself still holds each multipart body in memory; for bodies beyond memory, parse the request with a streaming multipart parser (busboy) and pipe the part';
const COLLAPSED = 'the 1 MB chunk-and-Buffer.concat step is gone (one copy instead of three)';
const SLOT = 'at most UPLOAD_MAX_CONCURRENCY (default 3)';

/** The other uses of the bytes, as the user wrote them (first line of each, shortened). */
export function otherUsesText(plan: Plan): string {
  return plan.otherUses.map((s) => `\`${s.getText().split(/\r?\n/)[0]!.trim().slice(0, 60)}\` (line ${s.getStartLineNumber()})`).join(', ');
}

export function streamedInHandler(uploader: string, reqText: string, fileVar: string, field: string, sizeGuard: boolean): string {
  return `${uploader}(): ${reqText}.formData() + ${fileVar}.arrayBuffer() → readMultipartFile(${reqText}, '${field}') (busboy): the file part is streamed into ${uploader}() as it arrives (${fileVar}.stream), never whole in memory${sizeGuard ? '; the size guard became maxBytes (FileTooLargeError → the same 413)' : ''}; the body is read inside withUploadSlot (${SLOT} at once; busy → 503 with Retry-After); ${CHUNKING_NOTE}`;
}

export function slottedInHandler(uploader: string, reqText: string, fileVar: string, how: 'streamed' | 'collapsed' | 'kept', plan: Plan): string {
  const what =
    how === 'streamed'
      ? `the File is streamed (fileToNodeStream(${fileVar})) instead of an arrayBuffer() copy`
      : how === 'collapsed'
        ? COLLAPSED
        : plan.otherUses.length
          ? `the bytes stay whole because ${otherUsesText(plan)} also reads them (kept as written, inside the slot)`
          : CHUNKING_NOTE;
  return `${reqText}.formData() + ${fileVar}.arrayBuffer() + ${uploader}() run inside withUploadSlot: the body is read only once a slot is free (bodies waiting stay in the socket), so ${SLOT} uploads are in memory at once; busy → 503 with Retry-After; ${what}`;
}

/** Why the file is not streamed: the bytes' other uses, else what stopped the busboy rewrite, else the uploader. */
export function notStreamedWhy(uploader: string, plan: Plan, streamingStopped?: string): string {
  if (plan.otherUses.length) return `${otherUsesText(plan)} reads the whole bytes before the upload`;
  if (streamingStopped) return streamingStopped;
  return `${uploader}() takes the whole file as a buffer`;
}

export function streamedAction(uploader: string, fileVar: string): string {
  return `${uploader}(): the File is streamed (fileToNodeStream(${fileVar}), 256 KB pieces read as the upload consumes them) instead of an arrayBuffer() copy (${CHUNKING_NOTE}), and ${SLOT} uploads run at once; ${FORMDATA_CAVEAT}`;
}

export function slottedAction(uploader: string, fileVar: string, collapsed: boolean, plan: Plan): string {
  const what = collapsed ? `${COLLAPSED}: the arrayBuffer was already whole in memory, and the slices plus Buffer.concat copied it again` : plan.otherUses.length ? `the bytes stay whole for ${otherUsesText(plan)}` : CHUNKING_NOTE;
  return `${fileVar}.arrayBuffer() + ${uploader}() run inside withUploadSlot: ${SLOT} uploads hold a file in memory at once, a bounded wait then UploadBusyError; ${what}`;
}
