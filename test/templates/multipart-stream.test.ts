import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { FileTooLargeError, MultipartError, readMultipartFile } from '../../codemods/templates/multipart-stream.ts';

function multipart(parts: Array<{ name: string; value: string | Buffer; filename?: string }>): Request {
  const boundary = 'genie-test-boundary';
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ''}`;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${p.filename ? 'Content-Type: image/jpeg\r\n' : ''}\r\n`), Buffer.from(p.value), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return new Request('http://127.0.0.1/upload', { method: 'POST', body: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } });
}

async function drain(file: { stream: NodeJS.ReadableStream }): Promise<Buffer> {
  const got: Buffer[] = [];
  await pipeline(file.stream, new Writable({ write: (c: Buffer, _e, done) => (got.push(c), done()) }));
  return Buffer.concat(got);
}

describe('readMultipartFile', () => {
  it('streams the named file part, skips other files, keeps fields sent before it, counts its size', async () => {
    const bytes = randomBytes(300_000);
    const file = await readMultipartFile(
      multipart([{ name: 'note', value: 'hello' }, { name: 'other', value: randomBytes(1000), filename: 'x.bin' }, { name: 'file', value: bytes, filename: 'passport.jpg' }]),
      'file',
    );
    expect(file).not.toBeNull();
    expect(file!.name).toBe('passport.jpg');
    expect(file!.type).toBe('image/jpeg');
    expect(file!.fields).toEqual({ note: 'hello' });
    expect((await drain(file!)).equals(bytes)).toBe(true);
    expect(file!.size).toBe(bytes.length);
  });

  it('resolves null without the part, size 0 for an empty file, and rejects a non-multipart body', async () => {
    expect(await readMultipartFile(multipart([{ name: 'note', value: 'x' }]), 'file')).toBeNull();
    const empty = await readMultipartFile(multipart([{ name: 'file', value: '', filename: 'e.jpg' }]), 'file');
    expect(empty!.size).toBe(0);
    await expect(readMultipartFile(new Request('http://127.0.0.1/', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } }), 'file')).rejects.toBeInstanceOf(MultipartError);
  });

  it('fails the stream with FileTooLargeError (413) past maxBytes', async () => {
    // Past the limit before the first chunk was handed out the promise rejects, later the stream fails: same error.
    const err = await readMultipartFile(multipart([{ name: 'file', value: randomBytes(200_000), filename: 'big.jpg' }]), 'file', { maxBytes: 100_000 })
      .then((file) => drain(file!))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FileTooLargeError);
    expect((err as FileTooLargeError).status).toBe(413);
  });
});
