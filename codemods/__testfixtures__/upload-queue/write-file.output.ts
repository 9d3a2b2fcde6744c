import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileToNodeStream, withUploadSlot } from '@/lib/genie/upload-stream';

export async function POST(request: Request) {
  const form = await request.formData();
  const file = form.get('document');
  if (!(file instanceof File)) return Response.json({ error: 'missing' }, { status: 400 });
  const target = path.join('/var/uploads', path.basename(file.name));
  await withUploadSlot(() => writeFile(target, fileToNodeStream(file)));
  return Response.json({ saved: target, size: file.size });
}
