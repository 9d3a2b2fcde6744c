import { GoogleGenerativeAI } from '@google/generative-ai';
import { runGeminiLimited } from '@/lib/genie/gemini-limit-only';

const model = new GoogleGenerativeAI(process.env.GEMINI_API_KEY!).getGenerativeModel({ model: 'gemini-2.0-flash' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function POST(req: Request) {
  const { text } = (await req.json()) as { text: string };
  let attempt = 0;
  while (true) {
    try {
      const out = await runGeminiLimited(() => model.generateContent(`Summarise: ${text}`));
      return Response.json({ summary: out.response.text() });
    } catch (err) {
      const busy = String(err).includes('RESOURCE_EXHAUSTED');
      if (!busy || ++attempt > 4) throw err;
      await sleep(500 * 2 ** attempt);
    }
  }
}
