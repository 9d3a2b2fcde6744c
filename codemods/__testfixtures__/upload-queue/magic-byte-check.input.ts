import { writeFile } from 'node:fs/promises';
import path from 'node:path';

// First bytes of the formats this route accepts.
const SIGNATURES: Record<string, number[]> = {
  'image/png': [0x89, 0x50, 0x4e, 0x47],
  'image/jpeg': [0xff, 0xd8, 0xff],
};

function matchesSignature(bytes: Buffer, mime: string): boolean {
  const expected = SIGNATURES[mime];
  return Boolean(expected && expected.every((b, k) => bytes[k] === b));
}

export async function POST(request: Request) {
  const form = await request.formData();
  const photo = form.get('photo');
  if (!(photo instanceof File)) return Response.json({ error: 'photo is required' }, { status: 400 });
  const bytes = Buffer.from(await photo.arrayBuffer());
  if (!matchesSignature(bytes, photo.type)) {
    return Response.json({ error: 'not a PNG or JPEG image' }, { status: 400 });
  }
  const target = path.join('/srv/photos', path.basename(photo.name));
  await writeFile(target, bytes);
  return Response.json({ saved: target });
}
