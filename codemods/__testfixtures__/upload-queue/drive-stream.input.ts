import { google } from 'googleapis';
import { Readable } from 'node:stream';

const drive = google.drive({ version: 'v3' });

export async function POST(request: Request) {
  const formData = await request.formData();
  const file = formData.get('file');
  if (!(file instanceof File)) return Response.json({ error: 'no file' }, { status: 400 });

  const name = `passport-${Date.now()}-${file.name}`;
  const buffer = Buffer.from(await file.arrayBuffer());
  const res = await drive.files.create({
    requestBody: { name, parents: [process.env.DRIVE_FOLDER_ID!] },
    media: { mimeType: file.type, body: Readable.from(buffer) },
    fields: 'id',
  });
  return Response.json({ id: res.data.id, name });
}
