import { NextResponse } from 'next/server';
import { prisma } from '@/lib/prisma';

// Pings the member's callback address and records what it answered: the record is a log, last write wins.
export async function POST(_req: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const member = await prisma.member.findUnique({ where: { id } });
  if (!member) return NextResponse.json({ error: 'not found' }, { status: 404 });
  const answer = await fetch(`https://hooks.example.dev/${member.email}`, { method: 'POST', body: JSON.stringify({ ping: true }) });
  const note = `${answer.status} ${answer.statusText}`;
  await prisma.member.update({ where: { id }, data: { displayName: note } });
  return NextResponse.json({ status: answer.status });
}
