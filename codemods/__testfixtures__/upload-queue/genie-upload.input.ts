import type { NextRequest } from 'next/server';
import { NextResponse } from 'next/server';
import { uploadFileToDrive } from '@/lib/drive';

const MAX_FILE_BYTES = 25 * 1024 * 1024;
const UPLOAD_TOKEN = /^[A-Za-z0-9_-]{8,128}$/;

export async function POST(request: NextRequest, { params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  if (!UPLOAD_TOKEN.test(token)) {
    return NextResponse.json({ error: '유효하지 않은 업로드 링크입니다.' }, { status: 404 });
  }

  let formData: FormData;
  try {
    formData = await request.formData();
  } catch {
    return NextResponse.json({ error: '파일을 첨부해주세요.' }, { status: 400 });
  }

  const file = formData.get('file');
  if (!(file instanceof File) || file.size === 0) {
    return NextResponse.json({ error: '파일을 첨부해주세요.' }, { status: 400 });
  }
  if (file.size > MAX_FILE_BYTES) {
    return NextResponse.json({ error: '파일은 25MB 이하만 업로드할 수 있습니다.' }, { status: 413 });
  }

  const buffer = Buffer.from(await file.arrayBuffer());
  const uploaded = await uploadFileToDrive({
    name: `passport-${token}-${file.name}`,
    mimeType: file.type,
    body: buffer,
  });

  return NextResponse.json({ ok: true, fileId: uploaded.id, size: uploaded.size });
}
