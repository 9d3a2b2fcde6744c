import { uploadFileToDrive } from '@/lib/drive';

export async function POST(request: Request) {
  const data = await request.formData();
  const owner = String(data.get('owner') ?? '');
  const file = data.get('file') as File;
  const buffer = Buffer.from(await file.arrayBuffer());
  const res = await uploadFileToDrive({ name: `${owner}-${file.name}`, body: buffer });
  return Response.json(res);
}
