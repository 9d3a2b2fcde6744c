import { NextResponse } from 'next/server';
import { db } from '@/lib/db';
import { currentMember } from '@/lib/session';

// The select keeps the password hash and the TOTP secret out of the answer.
const PUBLIC_FIELDS = { id: true, email: true, displayName: true } as const;

export async function PUT(request: Request) {
  try {
    const me = await currentMember();
    if (!me) return NextResponse.json({ error: 'sign in first' }, { status: 401 });
    const { displayName, email } = (await request.json()) as { displayName: string; email: string };
    const account = await db.member.update({
      where: { id: me.id },
      data: { displayName, email },
      select: PUBLIC_FIELDS,
    });
    return NextResponse.json(account);
  } catch (error) {
    console.error('account update failed', error);
    return NextResponse.json({ error: 'could not save' }, { status: 500 });
  }
}
