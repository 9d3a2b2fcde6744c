import { saveToStorage } from '@/lib/storage';
import { UploadBusyError, withUploadSlot } from '@/lib/genie/upload-stream';

export async function POST(req: Request) {
  try {
    return await withUploadSlot(async () => {
      const form = await req.formData();
      const file = form.get('scan');
      if (!(file instanceof File)) return Response.json({ error: 'no file' }, { status: 400 });
      const buffer = Buffer.from(await file.arrayBuffer());
      const saved = await saveToStorage(`scan-${file.name}`, buffer);
      return Response.json({ key: saved.key });
    });
  } catch (err) {
    if (err instanceof UploadBusyError) return Response.json({ error: err.message }, { status: 503, headers: { 'Retry-After': String(err.retryAfterSeconds) } });
    throw err;
  }
}
