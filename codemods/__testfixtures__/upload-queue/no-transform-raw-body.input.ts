import { createHmac } from 'node:crypto';
import { handleEvent } from '@/lib/webhooks';

export async function POST(request: Request) {
  // A webhook signs the raw body: reading it whole is required, and it is small.
  const raw = Buffer.from(await request.arrayBuffer());
  const signature = createHmac('sha256', process.env.WEBHOOK_SECRET!).update(raw).digest('hex');
  if (signature !== request.headers.get('x-signature')) return new Response(null, { status: 401 });
  await handleEvent(JSON.parse(raw.toString('utf8')));
  return new Response(null, { status: 204 });
}
