/** codemods/upload-queue: which path it takes (stream with busboy, slot only) and what it says, beyond the fixture text. Real runner on fixtures. */
import { describe, expect, it } from 'vitest';
import { runFixtureCase as run } from './codemod-fixture-harness.ts';

describe('upload-queue', () => {
  it('streams the sample route with busboy: the type checker sees uploadFileToDrive take `Buffer | Readable`', async () => {
    const s = await run('upload-queue', 'genie-upload');
    expect(s.changes.map((n) => n.line)).toEqual([30]);
    expect(s.changes[0]!.message).toMatch(/^uploadFileToDrive\(\): request\.formData\(\) \+ file\.arrayBuffer\(\) → readMultipartFile\(request, 'file'\) \(busboy\)/);
    expect(s.changes[0]!.message).toContain('the size guard became maxBytes');
    expect(s.changes[0]!.message).toContain('busy → 503 with Retry-After');
    expect(s.changes[0]!.memoWasWrong).toMatch(/arrayBuffer\(\) has already put the whole file in memory/);
    expect(s.candidates).toEqual([]);
  });

  it('takes the slot before formData() when the uploader wants a Buffer, and says streaming needs a stream', async () => {
    const s = await run('upload-queue', 'formdata-slot');
    expect(s.changes.map((n) => n.line)).toEqual([8]);
    expect(s.changes[0]!.message).toMatch(/^req\.formData\(\) \+ file\.arrayBuffer\(\) \+ saveToStorage\(\) run inside withUploadSlot: the body is read only once a slot is free/);
    expect(s.candidates.map((n) => n.message)).toEqual([expect.stringMatching(/saveToStorage\(\): not streamed because saveToStorage\(\) takes the whole file as a buffer/)]);
  });

  it('keeps the formData path (inside the slot) when the handler reads other fields, and says why', async () => {
    const s = await run('upload-queue', 'stream-other-fields');
    expect(s.changes[0]!.message).toContain('run inside withUploadSlot');
    expect(s.candidates[0]!.message).toMatch(/not streamed because it reads other form fields .*client may send after the file/);
  });

  it('streams into googleapis media.body without a candidate', async () => {
    const s = await run('upload-queue', 'drive-stream');
    expect(s.changes).toHaveLength(1);
    expect(s.changes[0]!.message).toContain("readMultipartFile(request, 'file')");
    expect(s.candidates).toEqual([]);
  });

  it('streams into @vercel/blob put() from a server action (no Request to read: fileToNodeStream)', async () => {
    const s = await run('upload-queue', 'server-action');
    expect(s.changes).toHaveLength(1);
    expect(s.changes[0]!.message).toMatch(/^put\(\): the File is streamed \(fileToNodeStream\(receipt\)/);
    expect(s.candidates).toEqual([]);
  });

  it('streams into fs.promises.writeFile (it takes a Stream as data)', async () => {
    const s = await run('upload-queue', 'write-file');
    expect(s.changes[0]!.message).toMatch(/^writeFile\(\): request\.formData\(\) \+ file\.arrayBuffer\(\) → readMultipartFile\(request, 'document'\)/);
    expect(s.candidates).toEqual([]);
  });

  it('says the chunk-and-concat step is gone', async () => {
    const s = await run('upload-queue', 'memo-chunking');
    expect(s.changes[0]!.message).toContain('chunk-and-Buffer.concat step is gone');
  });

  it("reports a File read whole from a server action's argument (input.scan), where Next.js has buffered the body already", async () => {
    const s = await run('upload-queue', 'no-transform-action-argument-file');
    expect(s.changes).toEqual([]);
    expect(s.candidates.map((n) => n.message)).toEqual([expect.stringContaining('input.scan is a File passed to this server action; Next.js has already buffered the whole request')]);
  });

  it('says when the bytes travel inside a FormData to the request that sends them (not followed), instead of "no call receives them"', async () => {
    const s = await run('upload-queue', 'no-transform-bytes-in-formdata');
    expect(s.changes).toEqual([]);
    expect(s.candidates.map((n) => n.message)).toEqual([expect.stringContaining('the bytes reach the request that sends them through outgoing.append(…) (a FormData), which is not followed')]);
  });

  it('reports files that reach an upload from formData() without arrayBuffer(); a text-only form says nothing', async () => {
    const s = await run('upload-queue', 'no-transform-form-files-to-storage');
    expect(s.changes).toEqual([]);
    expect(s.candidates.map((n) => n.message)).toEqual([expect.stringMatching(/^req\.formData\(\) reads every part of the multipart body into memory .* the files go to saveToStorage\(\)/)]);
    const text = await run('upload-queue', 'no-transform-form-text-only');
    expect([...text.candidates, ...(text.notes ?? [])]).toEqual([]);
  });
});
