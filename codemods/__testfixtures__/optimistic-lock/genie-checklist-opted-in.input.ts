// genie-fix: version-check (the checklist screen sends back the version it read)
import type { NextRequest } from 'next/server';
import { NextResponse } from 'next/server';
import { prisma } from '@/lib/prisma';
import { parseId, readJson } from '@/lib/request';
import { getSessionUser, unauthorized } from '@/lib/session';

export async function GET(request: NextRequest) {
  const user = await getSessionUser(request);
  if (!user) return unauthorized();

  const items = await prisma.checklistItem.findMany({
    where: { userId: user.id },
    orderBy: { id: 'asc' },
  });
  return NextResponse.json({ items });
}

export async function POST(request: NextRequest) {
  const user = await getSessionUser(request);
  if (!user) return unauthorized();

  const body = await readJson(request);
  const text = typeof body?.text === 'string' ? body.text.trim() : '';
  if (!text) {
    return NextResponse.json({ error: '항목 내용을 입력해주세요.' }, { status: 400 });
  }

  const item = await prisma.checklistItem.create({
    data: { userId: user.id, text },
  });
  return NextResponse.json({ item }, { status: 201 });
}

export async function PATCH(request: NextRequest) {
  const user = await getSessionUser(request);
  if (!user) return unauthorized();

  const body = await readJson(request);
  const id = parseId(body?.id);
  if (!id) {
    return NextResponse.json({ error: '잘못된 요청입니다.' }, { status: 400 });
  }
  const text = typeof body?.text === 'string' ? body.text : undefined;
  const completed = typeof body?.completed === 'boolean' ? body.completed : undefined;

  const existing = await prisma.checklistItem.findFirst({
    where: { id, userId: user.id },
  });
  if (!existing) {
    return NextResponse.json({ error: '항목을 찾을 수 없습니다.' }, { status: 404 });
  }

  const item = await prisma.checklistItem.update({
    where: { id },
    data: { text, completed },
  });
  return NextResponse.json({ item });
}

export async function DELETE(request: NextRequest) {
  const user = await getSessionUser(request);
  if (!user) return unauthorized();

  const id = parseId(request.nextUrl.searchParams.get('id'));
  if (!id) {
    return NextResponse.json({ error: '잘못된 요청입니다.' }, { status: 400 });
  }

  const { count } = await prisma.checklistItem.deleteMany({
    where: { id, userId: user.id },
  });
  if (count === 0) {
    return NextResponse.json({ error: '항목을 찾을 수 없습니다.' }, { status: 404 });
  }
  return NextResponse.json({ ok: true });
}
