import { GoogleGenerativeAI } from '@google/generative-ai';
import { db } from '@/lib/db';

const genAI = new GoogleGenerativeAI(process.env.GEMINI_API_KEY!);

// Announcements are shown to every visitor and fed to the assistant; staff post new ones here.
export async function GET(req: Request) {
  const topic = new URL(req.url).searchParams.get('topic') ?? 'news';
  const notices = await db.announcement.findMany({ orderBy: { postedAt: 'desc' }, take: 5 });
  const model = genAI.getGenerativeModel({ model: 'gemini-2.0-flash' });
  const out = await model.generateContent(`Summarise for ${topic}: ${JSON.stringify(notices)}`);
  return Response.json({ summary: out.response.text() });
}

export async function POST(req: Request) {
  const { title, body } = (await req.json()) as { title: string; body: string };
  const created = await db.announcement.create({ data: { title, body } });
  return Response.json({ id: created.id }, { status: 201 });
}
