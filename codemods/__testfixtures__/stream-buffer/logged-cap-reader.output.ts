import { createLineSplitter } from '@/lib/genie/line-splitter';

export async function POST(req: Request) {
  const { prompt } = (await req.json()) as { prompt: string };
  const upstream = await fetch(`${process.env.MODEL_GATEWAY}/stream`, { method: 'POST', body: JSON.stringify({ prompt }) });
  const reader = upstream.body!.getReader();
  const decoder = new TextDecoder();
  const pendingLines = createLineSplitter();
  const parts: string[] = [];
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    for (const line of pendingLines.push(decoder.decode(value, { stream: true }))) {
      if (line.startsWith('data: ')) parts.push(line.slice(6));
    }
  }
  // The stream may end without a final newline: its last line is still a line.
  for (const line of [...pendingLines.push(decoder.decode()), ...pendingLines.flush()]) {
    if (line.startsWith('data: ')) parts.push(line.slice(6));
  }
  return Response.json({ text: parts.join('') });
}
