import { Sema } from 'async-sema';
import { chatModel } from '@/lib/gemini-model';

// One process-wide gate of three permits in front of the model.
const permits = new Sema(3);

export async function POST(req: Request) {
  const { text } = (await req.json()) as { text: string };
  await permits.acquire();
  try {
    const out = await chatModel.generateContent(`Translate to French: ${text}`);
    return Response.json({ french: out.response.text() });
  } finally {
    permits.release();
  }
}
