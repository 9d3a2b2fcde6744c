export async function POST(req: Request) {
  const upstream = await fetch(process.env.LLM_URL!, { method: 'POST', body: await req.text() });
  const dec = new TextDecoder();
  let pending = '';
  const out: string[] = [];
  for await (const chunk of upstream.body as unknown as AsyncIterable<Uint8Array>) {
    pending += dec.decode(chunk, { stream: true });
    if (pending.length > 2_000_000) pending = pending.slice(-1_000_000);
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith('data: ')) out.push(line.slice(6));
    }
  }
  return Response.json({ out });
}
