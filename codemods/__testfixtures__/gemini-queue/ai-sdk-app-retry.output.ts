import { google } from '@ai-sdk/google';
import { generateText } from 'ai';
import { limitedGeminiModel } from '@/lib/genie/gemini-limit-only-ai-sdk';

const writer = limitedGeminiModel(google('gemini-2.0-flash'));

/** Tries again while the provider says "slow down", a little later each time. */
async function politely<T>(attempt: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (err) {
      if (tries === 3 || !String(err).includes('429')) throw err;
      await new Promise((wake) => setTimeout(wake, 400 * tries));
    }
  }
}

export async function POST(req: Request) {
  const { subject } = (await req.json()) as { subject: string };
  const { text } = await politely(() => generateText({ model: writer, prompt: `A haiku about ${subject}` }));
  return Response.json({ haiku: text });
}
