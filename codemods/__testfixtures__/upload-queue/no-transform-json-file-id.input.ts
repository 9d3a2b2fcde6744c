import { fetchStoredObject, indexChunks } from '@/lib/bucket';

// A JSON body names the file; nothing is uploaded through this route.
export async function POST(req: Request) {
  const { fileId } = (await req.json()) as { fileId: string };
  const blob = await fetchStoredObject(fileId);
  const total = await indexChunks(fileId, Buffer.from(await blob.arrayBuffer()));
  return Response.json({ total, note: 'FormData is not used here' });
}
