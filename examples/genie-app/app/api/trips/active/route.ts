import type { NextRequest } from 'next/server';
import { NextResponse } from 'next/server';
import { prisma } from '@/lib/prisma';
import { getSessionUser, unauthorized } from '@/lib/session';

export async function GET(request: NextRequest) {
  const user = await getSessionUser(request);
  if (!user) return unauthorized();

  const trip = await prisma.trip.findFirst({
    where: { userId: user.id, active: true },
    orderBy: { updatedAt: 'desc' },
    include: {
      expenses: { orderBy: { createdAt: 'desc' }, take: 10 },
    },
  });

  return NextResponse.json({ trip });
}
