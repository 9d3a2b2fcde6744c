import { google } from 'googleapis';
import { fileToNodeStream, withUploadSlot } from '@/lib/genie/upload-stream';

const drive = google.drive({ version: 'v3' });

export async function POST(request: Request) {
  const formData = await request.formData();
  const file = formData.get('file');
  if (!(file instanceof File)) return Response.json({ error: 'no file' }, { status: 400 });

  const name = `passport-${Date.now()}-${file.name}`;
  const res = await withUploadSlot(() => drive.files.create({
    requestBody: { name, parents: [process.env.DRIVE_FOLDER_ID!] },
    media: { mimeType: file.type, body: fileToNodeStream(file) },
    fields: 'id',
  }));
  return Response.json({ id: res.data.id, name });
}
