import { NextResponse } from 'next/server';
import { db } from '@/lib/db';
import { currentMember } from '@/lib/session';

// Saves the caller's own display name: the request's value replaces the row's, nothing read from it.
export async function PUT(request: Request) {
  const me = await currentMember();
  if (!me) return NextResponse.json({ error: 'sign in first' }, { status: 401 });
  const body = await request.json();
  const displayName = typeof body.displayName === 'string' ? body.displayName.trim() : '';
  if (!displayName) return NextResponse.json({ error: 'displayName is required' }, { status: 400 });
  const saved = await db.member.update({ where: { id: me.id }, data: { displayName } });
  return NextResponse.json({ id: saved.id, displayName: saved.displayName });
}
