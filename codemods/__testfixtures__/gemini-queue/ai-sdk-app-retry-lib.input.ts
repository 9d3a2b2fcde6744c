import { complete } from '@/lib/llm/call';

export async function POST(req: Request) {
  const { email } = (await req.json()) as { email: string };
  return Response.json({ label: await complete('classify', `Label this email:\n${email}`) });
}
