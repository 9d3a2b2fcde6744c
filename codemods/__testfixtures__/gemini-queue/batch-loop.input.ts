import { chatModel } from '@/lib/gemini-model';

// A plain loop over documents: nothing here bounds or retries the calls.
export async function POST(req: Request) {
  const { docs } = (await req.json()) as { docs: string[] };
  const titles: string[] = [];
  for (const doc of docs) {
    const out = await chatModel.generateContent(`A title for: ${doc}`);
    titles.push(out.response.text());
  }
  return Response.json({ titles });
}
