export async function POST(req: Request) {
  const reader = req.body!.getReader();
  const decoder = new TextDecoder();
  let title = '';
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  title = text.split('\n')[0] ?? '';
  if (title.length > 100) title = title.slice(0, 100);
  console.log('preview', text.slice(0, 100));
  return Response.json({ title, length: text.length });
}
