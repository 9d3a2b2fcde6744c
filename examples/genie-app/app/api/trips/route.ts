import type { NextRequest } from 'next/server';
import { NextResponse } from 'next/server';
import { prisma } from '@/lib/prisma';
import { parseId, readJson } from '@/lib/request';
import { getSessionUser, unauthorized } from '@/lib/session';

export async function GET(request: NextRequest) {
  const user = await getSessionUser(request);
  if (!user) return unauthorized();

  const trips = await prisma.trip.findMany({
    where: { userId: user.id },
    orderBy: { createdAt: 'desc' },
  });
  return NextResponse.json({ trips });
}

export async function POST(request: NextRequest) {
  const user = await getSessionUser(request);
  if (!user) return unauthorized();

  const body = await readJson(request);
  const name = typeof body?.name === 'string' ? body.name.trim() : '';
  if (!name) {
    return NextResponse.json({ error: '여행 이름을 입력해주세요.' }, { status: 400 });
  }

  const trip = await prisma.trip.create({
    data: { userId: user.id, name, active: body?.active === true },
  });
  return NextResponse.json({ trip }, { status: 201 });
}

export async function DELETE(request: NextRequest) {
  const user = await getSessionUser(request);
  if (!user) return unauthorized();

  const id = parseId(request.nextUrl.searchParams.get('id'));
  if (!id) {
    return NextResponse.json({ error: '잘못된 요청입니다.' }, { status: 400 });
  }

  const trip = await prisma.trip.findFirst({ where: { id, userId: user.id } });
  if (!trip) {
    return NextResponse.json({ error: '여행을 찾을 수 없습니다.' }, { status: 404 });
  }

  await prisma.$transaction([
    prisma.expense.deleteMany({ where: { tripId: trip.id } }),
    prisma.trip.delete({ where: { id: trip.id } }),
  ]);
  return NextResponse.json({ ok: true });
}
