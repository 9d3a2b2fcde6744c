import type { Readable } from 'node:stream';

/** Like googleapis drive.files.create's media.body: a Buffer or a stream. */
export async function uploadFileToDrive({ name, body }: { name: string; mimeType?: string; body: Buffer | Readable }): Promise<{ id: string; size: number }> {
  return { id: name, size: Buffer.isBuffer(body) ? body.length : 0 };
}
