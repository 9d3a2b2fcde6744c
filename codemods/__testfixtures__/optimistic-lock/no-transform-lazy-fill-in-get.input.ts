import { NextResponse } from 'next/server';
import { prisma } from '@/lib/prisma';

// The share code is derived from the id: two first visits at once write the same value.
export async function GET(_req: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const member = await prisma.member.findUnique({ where: { id } });
  if (!member) return NextResponse.json({ error: 'not found' }, { status: 404 });
  let code = member.email;
  if (!code.includes('#')) {
    code = `${member.email}#${id.slice(-4)}`;
    await prisma.member.update({ where: { id }, data: { email: code } });
  }
  return NextResponse.json({ code });
}
