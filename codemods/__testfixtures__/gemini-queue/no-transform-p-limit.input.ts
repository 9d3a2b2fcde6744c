import pLimit from 'p-limit';
import { chatModel } from '@/lib/gemini-model';

// Two calls at a time across the whole process: the app already bounds its Gemini traffic.
const gate = pLimit(2);

export async function POST(req: Request) {
  const { questions } = (await req.json()) as { questions: string[] };
  const answers = await Promise.all(questions.map((q) => gate(() => chatModel.generateContent(q))));
  return Response.json({ answers: answers.map((a) => a.response.text()) });
}
