import { compare } from 'bcryptjs';
import Credentials from 'next-auth/providers/credentials';
import { db } from '@/lib/db';
import { checkLoginAllowed, recordLoginFailure, recordLoginSuccess } from '@/lib/genie/login-limiter';

export const credentialsProvider = Credentials({
  credentials: { email: {}, password: {} },
  async authorize(credentials, req) {
    const ip = req?.headers?.get?.('x-forwarded-for') ?? 'local';
    const email = String(credentials?.email ?? '').toLowerCase();
    const loginGate = await checkLoginAllowed(ip, email);
    if (!loginGate.allowed) throw new Error('Too many sign-in attempts, wait a few minutes');

    const member = await db.member.findUnique({ where: { email } });
    if (!member) {
      await recordLoginFailure(ip, email);
      return null;
    }
    const matches = await compare(String(credentials?.password ?? ''), member.passwordHash);
    if (!matches) {
      await recordLoginFailure(ip, email);
      return null;
    }

    await recordLoginSuccess(ip, email);
    return { id: member.id, email: member.email };
  },
});
