import { saveToStorage } from '@/lib/storage';
import { UploadBusyError, withUploadSlot } from '@/lib/genie/upload-stream';

async function currentMember(req: Request): Promise<{ id: string } | null> {
  const token = req.headers.get('authorization');
  return token ? { id: token.slice(-8) } : null;
}

export async function POST(req: Request) {
  try {
    // Who is asking comes first: a stranger must not take an upload slot.
    const member = await currentMember(req);
    if (!member) return Response.json({ error: 'sign in first' }, { status: 401 });
    try {
      return await withUploadSlot(async () => {
        const form = await req.formData();
        const scan = form.get('scan');
        if (!(scan instanceof File)) return Response.json({ error: 'scan is required' }, { status: 400 });
        const data = Buffer.from(await scan.arrayBuffer());
        const saved = await saveToStorage(`${member.id}/${scan.name}`, data);
        return Response.json({ key: saved.key });
      });
    } catch (err) {
      if (err instanceof UploadBusyError) return Response.json({ error: err.message }, { status: 503, headers: { 'Retry-After': String(err.retryAfterSeconds) } });
      throw err;
    }
  } catch (err) {
    console.error('upload failed', err);
    return Response.json({ error: 'upload failed' }, { status: 500 });
  }
}
