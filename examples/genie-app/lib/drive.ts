import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** Shaped like googleapis `drive.files.create({ requestBody: { name }, media: { mimeType, body } })`. */
export type DriveUpload = {
  name: string;
  mimeType?: string;
  /** Like Drive's `media.body`: a whole Buffer or a stream. */
  body: Buffer | Readable;
};

export type DriveFile = {
  id: string;
  name: string;
  size: number;
};

const stagingDir = join(tmpdir(), 'genie-uploads');

/**
 * Uploads a passenger document to the shared Drive folder.
 *
 * Self-hosted and preview deployments have no Drive credentials, so the file is written to a
 * local staging folder and removed again once the write has completed.
 */
export async function uploadFileToDrive({ name, body }: DriveUpload): Promise<DriveFile> {
  await mkdir(stagingDir, { recursive: true });
  const id = randomUUID();
  const path = join(stagingDir, `${id}-${name.replace(/[^\w.-]+/g, '_')}`);
  let size = 0;
  const count = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      done(null, chunk);
    },
  });
  try {
    await pipeline(Buffer.isBuffer(body) ? Readable.from([body]) : body, count, createWriteStream(path));
    return { id, name, size };
  } finally {
    await rm(path, { force: true });
  }
}
