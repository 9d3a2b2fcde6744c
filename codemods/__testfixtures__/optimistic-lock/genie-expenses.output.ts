import type { NextRequest } from 'next/server';
import { NextResponse } from 'next/server';
import { prisma } from '@/lib/prisma';
import { parseId, readJson } from '@/lib/request';
import { getSessionUser, unauthorized } from '@/lib/session';

export async function GET(request: NextRequest) {
  const user = await getSessionUser(request);
  if (!user) return unauthorized();

  const tripId = parseId(request.nextUrl.searchParams.get('tripId'));
  if (!tripId) {
    return NextResponse.json({ error: 'tripId가 필요합니다.' }, { status: 400 });
  }

  const trip = await prisma.trip.findFirst({ where: { id: tripId, userId: user.id } });
  if (!trip) {
    return NextResponse.json({ error: '여행을 찾을 수 없습니다.' }, { status: 404 });
  }

  const expenses = await prisma.expense.findMany({
    where: { tripId: trip.id },
    orderBy: { createdAt: 'desc' },
  });
  return NextResponse.json({ expenses, trip });
}

export async function POST(request: NextRequest) {
  const user = await getSessionUser(request);
  if (!user) return unauthorized();

  const body = await readJson(request);
  const tripId = parseId(body?.tripId);
  const amount = body?.amount;
  const description = typeof body?.description === 'string' ? body.description.trim() : '';
  if (!tripId || typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount <= 0) {
    return NextResponse.json({ error: '금액은 양의 정수여야 합니다.' }, { status: 400 });
  }

  const trip = await prisma.trip.findFirst({ where: { id: tripId, userId: user.id } });
  if (!trip) {
    return NextResponse.json({ error: '여행을 찾을 수 없습니다.' }, { status: 404 });
  }

  const expense = await prisma.expense.create({
    data: { tripId: trip.id, amount, description },
  });

  const updatedTrip = await prisma.trip.update({
    where: { id: trip.id },
    data: { totalSpent: { increment: amount } },
  });

  return NextResponse.json(
    { expense, trip: { id: updatedTrip.id, name: updatedTrip.name, totalSpent: updatedTrip.totalSpent } },
    { status: 201 },
  );
}
