const MAX_PENDING = 512 * 1024;
const KEEP_PENDING = 128 * 1024;

export async function POST(req: Request) {
  const { prompt } = (await req.json()) as { prompt: string };
  const upstream = await fetch(`${process.env.MODEL_GATEWAY}/stream`, { method: 'POST', body: JSON.stringify({ prompt }) });
  const reader = upstream.body!.getReader();
  const decoder = new TextDecoder();
  let pending = '';
  const parts: string[] = [];
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    pending += decoder.decode(value, { stream: true });
    if (pending.length > MAX_PENDING) {
      console.warn('stream buffer over limit, keeping the tail');
      pending = pending.slice(-KEEP_PENDING);
    }
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith('data: ')) parts.push(line.slice(6));
    }
  }
  return Response.json({ text: parts.join('') });
}
