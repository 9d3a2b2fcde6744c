import { writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { UploadBusyError, withUploadSlot } from '@/lib/genie/upload-stream';

function sealed(bytes: Buffer): Buffer {
  // Prefix the content with its digest so a reader can check it later.
  return Buffer.concat([createHash('sha256').update(bytes).digest(), bytes]);
}

export async function POST(request: Request) {
  try {
    return await withUploadSlot(async () => {
      const form = await request.formData();
      const doc = form.get('doc');
      if (!(doc instanceof File)) return Response.json({ error: 'doc is required' }, { status: 400 });
      await writeFile(`/srv/docs/${doc.name}.sealed`, sealed(Buffer.from(await doc.arrayBuffer())));
      return Response.json({ ok: true });
    });
  } catch (err) {
    if (err instanceof UploadBusyError) return Response.json({ error: err.message }, { status: 503, headers: { 'Retry-After': String(err.retryAfterSeconds) } });
    throw err;
  }
}
