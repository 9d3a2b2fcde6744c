import { db } from '@/lib/db';
import { loadAccount } from '@/lib/accounts';

export const POST = async (req: Request) => {
  const { accountId, message } = (await req.json()) as { accountId: string; message: string };
  const account = await loadAccount(accountId);
  const history = await db.conversation.findMany({ where: { accountId: account.id }, take: 5 });
  const res = await fetch('https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:generateContent', {
    method: 'POST',
    body: JSON.stringify({ contents: [{ parts: [{ text: `${history.length} ${message}` }] }] }),
  });
  return new Response(res.body);
};
