import { saveToStorage } from '@/lib/storage';

// Several pictures per post: formData() reads them all into memory before the loop starts, and each goes to
// storage. No arrayBuffer() here, but the whole files are held all the same: reported.
export async function POST(req: Request) {
  const form = await req.formData();
  const pictures = form.getAll('pictures') as File[];
  const keys: string[] = [];
  for (const picture of pictures) {
    const saved = await saveToStorage(picture.name, picture as unknown as Buffer);
    keys.push(saved.key);
  }
  return Response.json({ keys });
}
