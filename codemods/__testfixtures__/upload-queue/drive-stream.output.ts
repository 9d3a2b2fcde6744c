import { google } from 'googleapis';
import { UploadBusyError, withUploadSlot } from '@/lib/genie/upload-stream';
import { readMultipartFile } from '@/lib/genie/multipart-stream';

const drive = google.drive({ version: 'v3' });

export async function POST(request: Request) {
  try {
    return await withUploadSlot(async () => {
      const file = await readMultipartFile(request, 'file');
      if (!file) return Response.json({ error: 'no file' }, { status: 400 });

      const name = `passport-${Date.now()}-${file.name}`;
      const res = await drive.files.create({
        requestBody: { name, parents: [process.env.DRIVE_FOLDER_ID!] },
        media: { mimeType: file.type, body: file.stream },
        fields: 'id',
      });
      return Response.json({ id: res.data.id, name });
    });
  } catch (err) {
    if (err instanceof UploadBusyError) return Response.json({ error: err.message }, { status: 503, headers: { 'Retry-After': String(err.retryAfterSeconds) } });
    throw err;
  }
}
