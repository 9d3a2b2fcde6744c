import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type DriveUpload = {
  name: string;
  buffer: Buffer;
  mimeType?: string;
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
export async function uploadFileToDrive({ name, buffer }: DriveUpload): Promise<DriveFile> {
  await mkdir(stagingDir, { recursive: true });
  const id = randomUUID();
  const path = join(stagingDir, `${id}-${name.replace(/[^\w.-]+/g, '_')}`);
  try {
    await writeFile(path, buffer);
    return { id, name, size: buffer.length };
  } finally {
    await rm(path, { force: true });
  }
}
