import { createLineSplitter } from '@/lib/genie/line-splitter';

export async function POST(req: Request) {
  const upstream = await fetch(process.env.LLM_URL!, { method: 'POST', body: await req.text() });
  const dec = new TextDecoder();
  const pendingLines = createLineSplitter();
  const out: string[] = [];
  for await (const chunk of upstream.body as unknown as AsyncIterable<Uint8Array>) {
    for (const line of pendingLines.push(dec.decode(chunk, { stream: true }))) {
      if (line.startsWith('data: ')) out.push(line.slice(6));
    }
  }
  // The stream may end without a final newline: its last line is still a line.
  for (const line of [...pendingLines.push(dec.decode()), ...pendingLines.flush()]) {
    if (line.startsWith('data: ')) out.push(line.slice(6));
  }
  return Response.json({ out });
}
