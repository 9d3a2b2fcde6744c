// Mentions GEMINI in a comment and an env var, but only fetches our own API.
export async function GET() {
  const flag = process.env.GEMINI_ENABLED === '1';
  const res = await fetch(`${process.env.INTERNAL_API}/products`, { cache: 'no-store' });
  return Response.json({ flag, products: await res.json() });
}
