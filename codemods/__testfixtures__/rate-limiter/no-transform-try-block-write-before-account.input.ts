import { NextResponse } from 'next/server';
import argon2 from 'argon2';
import { store } from '@/lib/store';
import { slidingWindow } from '@/lib/throttle';
import { credentialsSchema } from '@/lib/schemas';

export async function POST(request: Request) {
  try {
    const addr = request.headers.get('x-real-ip') ?? '127.0.0.1';
    if (!(await slidingWindow(`signin:${addr}`, 8, '5 m'))) return NextResponse.json({ error: 'slow down' }, { status: 429 });

    // Counted before the form is read: a refused request must not add to this counter.
    await store.counter.update({ where: { name: 'signin' }, data: { value: { increment: 1 } } });
    const { email, secret } = credentialsSchema.parse(await request.json());
    const member = await store.member.findUnique({ where: { email } });
    if (!member) return NextResponse.json({ error: 'bad credentials' }, { status: 401 });

    const matches = await argon2.verify(member.secretHash, secret);
    if (!matches) return NextResponse.json({ error: 'bad credentials' }, { status: 401 });

    return NextResponse.json({ id: member.id });
  } catch {
    return NextResponse.json({ error: 'server error' }, { status: 500 });
  }
}
