export async function POST(req: Request) {
  const { question } = (await req.json()) as { question: string };
  const res = await fetch(`${process.env.MODEL_GATEWAY}/answer`, { method: 'POST', body: question });
  const decoder = new TextDecoder();
  let answer = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    answer += decoder.decode(chunk, { stream: true });
    if (answer.length > 100_000) answer = answer.slice(-100_000);
  }
  return Response.json({ answer });
}
