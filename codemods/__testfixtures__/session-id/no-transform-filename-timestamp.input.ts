import { writeFile } from 'node:fs/promises';

export async function POST(request: Request) {
  const form = await request.formData();
  const file = form.get('file') as File;
  const filename = `${Date.now()}-${Math.round(Math.random() * 1e6)}-${file.name}`;
  const sessionTtlMs = Date.now() + 60_000;
  await writeFile(`/tmp/${filename}`, Buffer.from(await file.text()));
  return Response.json({ filename, sessionTtlMs });
}
