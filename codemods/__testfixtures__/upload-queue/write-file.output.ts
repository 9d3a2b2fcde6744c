import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UploadBusyError, withUploadSlot } from '@/lib/genie/upload-stream';
import { readMultipartFile } from '@/lib/genie/multipart-stream';

export async function POST(request: Request) {
  try {
    return await withUploadSlot(async () => {
      const file = await readMultipartFile(request, 'document');
      if (!file) return Response.json({ error: 'missing' }, { status: 400 });
      const target = path.join('/var/uploads', path.basename(file.name));
      await writeFile(target, file.stream);
      return Response.json({ saved: target, size: file.size });
    });
  } catch (err) {
    if (err instanceof UploadBusyError) return Response.json({ error: err.message }, { status: 503, headers: { 'Retry-After': String(err.retryAfterSeconds) } });
    throw err;
  }
}
