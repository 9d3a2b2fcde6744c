// A form with text fields only: formData() here holds a few short strings, not files. Nothing to say.
export async function POST(req: Request) {
  const form = await req.formData();
  const name = String(form.get('name') ?? '');
  return Response.json({ hello: name });
}
