import { GoogleGenAI } from '@google/genai';

const ai = new GoogleGenAI({ apiKey: process.env.GOOGLE_API_KEY });

export const POST = async (req: Request) => {
  const { prompt } = (await req.json()) as { prompt: string };
  const result = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: prompt });
  return Response.json({ text: result.text });
};
