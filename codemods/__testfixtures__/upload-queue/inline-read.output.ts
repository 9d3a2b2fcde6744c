import { putObject } from '@/lib/s3';
import { UploadBusyError, withUploadSlot } from '@/lib/genie/upload-stream';

export async function POST(req: Request) {
  try {
    return await withUploadSlot(async () => {
      const data = await req.formData();
      for (const entry of data.getAll('photos')) {
        if (!(entry instanceof File)) continue;
        await putObject(entry.name, new Uint8Array(await entry.arrayBuffer()));
      }
      return Response.json({ ok: true });
    });
  } catch (err) {
    if (err instanceof UploadBusyError) return Response.json({ error: err.message }, { status: 503, headers: { 'Retry-After': String(err.retryAfterSeconds) } });
    throw err;
  }
}
