import { NextResponse } from 'next/server';
import { saveToStorage } from '@/lib/storage';
import { UploadBusyError, withUploadSlot } from '@/lib/genie/upload-stream';

const CHUNK_SIZE = 1024 * 1024; // 1 MB

export async function POST(request: Request) {
  try {
    return await withUploadSlot(async () => {
      const form = await request.formData();
      const file = form.get('file') as File;
      const uploadedBy = form.get('user');

      // Memory optimisation: process the file in 1 MB chunks.
      const buffer = Buffer.from(await file.arrayBuffer());
      const label = `${uploadedBy}:${file.name}`;

      await saveToStorage(label, buffer);
      return NextResponse.json({ ok: true });
    });
  } catch (err) {
    if (err instanceof UploadBusyError) return NextResponse.json({ error: err.message }, { status: 503, headers: { 'Retry-After': String(err.retryAfterSeconds) } });
    throw err;
  }
}
