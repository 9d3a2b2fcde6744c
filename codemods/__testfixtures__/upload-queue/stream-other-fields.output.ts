import { uploadFileToDrive } from '@/lib/drive';
import { UploadBusyError, withUploadSlot } from '@/lib/genie/upload-stream';

export async function POST(request: Request) {
  try {
    return await withUploadSlot(async () => {
      const data = await request.formData();
      const owner = String(data.get('owner') ?? '');
      const file = data.get('file') as File;
      const buffer = Buffer.from(await file.arrayBuffer());
      const res = await uploadFileToDrive({ name: `${owner}-${file.name}`, body: buffer });
      return Response.json(res);
    });
  } catch (err) {
    if (err instanceof UploadBusyError) return Response.json({ error: err.message }, { status: 503, headers: { 'Retry-After': String(err.retryAfterSeconds) } });
    throw err;
  }
}
