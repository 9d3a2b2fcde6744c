import { writeFile } from 'node:fs/promises';
import path from 'node:path';

export async function POST(request: Request) {
  const form = await request.formData();
  const file = form.get('document');
  if (!(file instanceof File)) return Response.json({ error: 'missing' }, { status: 400 });
  const target = path.join('/var/uploads', path.basename(file.name));
  await writeFile(target, Buffer.from(await file.arrayBuffer()));
  return Response.json({ saved: target, size: file.size });
}
