import { fetchStoredObject, indexChunks } from '@/lib/bucket';

// The form carries only the key of a file uploaded earlier; the bytes come back from the bucket.
export async function POST(req: Request) {
  const form = await req.formData();
  const key = String(form.get('objectKey') ?? '');
  if (!key) return Response.json({ error: 'objectKey is required' }, { status: 400 });
  const stored = await fetchStoredObject(key);
  const data = Buffer.from(await stored.arrayBuffer());
  const chunks = await indexChunks(key, data);
  return Response.json({ chunks });
}
