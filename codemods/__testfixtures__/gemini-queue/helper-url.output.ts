import { queuedGeminiFetch } from '@/lib/genie/gemini-queue';

const API_ROOT = 'https://generativelanguage.googleapis.com/v1beta';

function modelUrl(model: string) {
  return `${API_ROOT}/models/${model}:generateContent`;
}

async function callModel(body: unknown) {
  const res = await queuedGeminiFetch(modelUrl('gemini-2.0-flash'), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-goog-api-key': process.env.GEMINI_KEY ?? '' },
    body: JSON.stringify(body),
  });
  return res.json();
}

export async function POST(req: Request) {
  const analytics = await fetch('https://example.com/track', { method: 'POST' });
  return Response.json({ out: await callModel(await req.json()), tracked: analytics.ok });
}
