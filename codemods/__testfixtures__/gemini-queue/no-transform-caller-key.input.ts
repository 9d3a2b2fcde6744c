import { GoogleGenerativeAI } from '@google/generative-ai';
import { loadAccount } from '@/lib/account';

// Each workspace stores its own Gemini key: quotas belong to the workspace, not to the app.
export async function POST(request: Request) {
  const account = await loadAccount(request.headers.get('authorization'));
  if (!account) return new Response('sign in first', { status: 401 });
  const { prompt } = (await request.json()) as { prompt: string };
  const genAI = new GoogleGenerativeAI(account.geminiKey);
  const model = genAI.getGenerativeModel({ model: 'gemini-2.0-flash' });
  const result = await model.generateContent(prompt);
  return Response.json({ text: result.response.text() });
}
