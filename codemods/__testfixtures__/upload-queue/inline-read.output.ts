import { putObject } from '@/lib/s3';
import { withUploadSlot } from '@/lib/genie/upload-stream';

export async function POST(req: Request) {
  const data = await req.formData();
  for (const entry of data.getAll('photos')) {
    if (!(entry instanceof File)) continue;
    await withUploadSlot(async () => {
      await putObject(entry.name, new Uint8Array(await entry.arrayBuffer()));
    });
  }
  return Response.json({ ok: true });
}
