import { NextResponse } from 'next/server';
import { saveToStorage } from '@/lib/storage';

const CHUNK_SIZE = 1024 * 1024; // 1 MB

export async function POST(request: Request) {
  const form = await request.formData();
  const file = form.get('file') as File;
  const uploadedBy = form.get('user');

  // Memory optimisation: process the file in 1 MB chunks.
  const arrayBuffer = await file.arrayBuffer();
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < arrayBuffer.byteLength; offset += CHUNK_SIZE) {
    chunks.push(Buffer.from(arrayBuffer.slice(offset, offset + CHUNK_SIZE)));
  }
  const buffer = Buffer.concat(chunks);
  const label = `${uploadedBy}:${file.name}`;

  await saveToStorage(label, buffer);
  return NextResponse.json({ ok: true });
}
