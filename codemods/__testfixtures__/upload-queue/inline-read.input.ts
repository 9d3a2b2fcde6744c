import { putObject } from '@/lib/s3';

export async function POST(req: Request) {
  const data = await req.formData();
  for (const entry of data.getAll('photos')) {
    if (!(entry instanceof File)) continue;
    await putObject(entry.name, new Uint8Array(await entry.arrayBuffer()));
  }
  return Response.json({ ok: true });
}
