import { compare } from 'bcryptjs';
import Credentials from 'next-auth/providers/credentials';
import { attempts } from '@/lib/attempts';
import { db } from '@/lib/db';

export const credentialsProvider = Credentials({
  credentials: { email: {}, password: {} },
  async authorize(credentials, req) {
    const ip = req?.headers?.get?.('x-forwarded-for') ?? 'local';
    const budget = await attempts.limit(`signin:${ip}`);
    if (!budget.success) throw new Error('Too many sign-in attempts, wait a few minutes');

    const email = String(credentials?.email ?? '').toLowerCase();
    const member = await db.member.findUnique({ where: { email } });
    if (!member) return null;
    const matches = await compare(String(credentials?.password ?? ''), member.passwordHash);
    if (!matches) return null;
    return { id: member.id, email: member.email };
  },
});
