import { NextResponse } from 'next/server';
import { saveToStorage } from '@/lib/storage';
import { withUploadSlot } from '@/lib/genie/upload-stream';

const CHUNK_SIZE = 1024 * 1024; // 1 MB

export async function POST(request: Request) {
  const form = await request.formData();
  const file = form.get('file') as File;
  const uploadedBy = form.get('user');

  // Memory optimisation: process the file in 1 MB chunks.
  await withUploadSlot(async () => {
    const buffer = Buffer.from(await file.arrayBuffer());
    const label = `${uploadedBy}:${file.name}`;
    await saveToStorage(label, buffer);
  });
  return NextResponse.json({ ok: true });
}
