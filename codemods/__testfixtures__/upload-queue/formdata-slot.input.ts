import { saveToStorage } from '@/lib/storage';

export async function POST(req: Request) {
  const form = await req.formData();
  const file = form.get('scan');
  if (!(file instanceof File)) return Response.json({ error: 'no file' }, { status: 400 });
  const buffer = Buffer.from(await file.arrayBuffer());
  const saved = await saveToStorage(`scan-${file.name}`, buffer);
  return Response.json({ key: saved.key });
}
