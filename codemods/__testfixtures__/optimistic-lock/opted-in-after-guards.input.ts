// genie-fix: version-check (the admin screen sends back the updatedAt it showed)
import { NextResponse } from 'next/server';
import { db } from '@/lib/db';
import { requireAdmin } from '@/lib/session';

export async function PATCH(request: Request, context: { params: Promise<{ memberId: string }> }) {
  try {
    const denied = await requireAdmin();
    if (denied) return denied;
    const { memberId } = await context.params;
    const input = await request.json();
    if (input.role !== 'admin' && input.role !== 'member') {
      return NextResponse.json({ error: 'role must be admin or member' }, { status: 422 });
    }
    const member = await db.member.update({
      where: { id: memberId },
      data: { role: input.role },
      select: { id: true, email: true, role: true },
    });
    return NextResponse.json(member);
  } catch (error) {
    console.error('role change failed', error);
    return NextResponse.json({ error: 'could not save' }, { status: 500 });
  }
}
