// genie-fix: version-check (the admin screen sends back the updatedAt it showed)
import { NextResponse } from 'next/server';
import { db } from '@/lib/db';
import { requireAdmin } from '@/lib/session';
import { versionedUpdate, ConflictError, conflictResponse, clientUpdatedAtOf } from '@/lib/genie/optimistic-lock';

export async function PATCH(request: Request, context: { params: Promise<{ memberId: string }> }) {
  try {
    const denied = await requireAdmin();
    if (denied) return denied;
    const { memberId } = await context.params;
    const input = await request.json();
    if (input.role !== 'admin' && input.role !== 'member') {
      return NextResponse.json({ error: 'role must be admin or member' }, { status: 422 });
    }
    // The updatedAt the client read (input.updatedAt); without it (older clients) the write stays last-write-wins.
    const clientUpdatedAt = clientUpdatedAtOf(input);
    if (clientUpdatedAt !== undefined) {
      try {
        await versionedUpdate(db.member, { where: { id: memberId }, expected: { updatedAt: clientUpdatedAt }, data: { role: input.role } });
      } catch (err) {
        if (err instanceof ConflictError) return conflictResponse(err);
        throw err;
      }
    }
    const member = clientUpdatedAt !== undefined
      ? await db.member.findUniqueOrThrow({ where: { id: memberId }, select: { id: true, email: true, role: true } })
      : await db.member.update({
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
