/**
 * What the fixture harness cannot see: the warnings, candidates and notes of upload-queue, session-id and
 * fetch-cache (the harness compares file text only). Each case runs through the real runner on a fixture.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { listFixtureCases, runFixture } from './codemod-fixture-harness.ts';
import { idStrength, isSessionName } from '../codemods/session-id.ts';
import { Project, SyntaxKind } from 'ts-morph';

async function run(id: string, name: string) {
  const c = listFixtureCases().find((x) => x.id === id && x.name === name);
  if (!c) throw new Error(`no fixture ${id}/${name}`);
  const { result } = await runFixture(c, fs.readFileSync(c.inputPath, 'utf8'));
  return result.codemods.find((s) => s.id === id)!;
}

describe('fetch-cache warnings (never edits)', () => {
  it("flags the memo's fix 8: a per-user route with revalidate, and force-cache on /api/user/profile", async () => {
    const s = await run('fetch-cache', 'no-transform-memo-trips-active');
    expect(s.changes).toEqual([]);
    expect(s.candidates.map((n) => n.line)).toEqual([6, 7]);
    expect(s.candidates[0]!.message).toContain('/api/trips/active is a per-user route');
    expect(s.candidates[0]!.message).toContain("which every user shares");
    expect(s.candidates[0]!.message).toContain("cache: 'no-store'");
    expect(s.candidates[0]!.memoWasWrong).toContain("memo's fix 8");
    expect(s.candidates[1]!.message).toContain("cache: 'force-cache'");
  });

  it('flags a fetch that forwards the cookie, and unstable_cache closing over the session user only', async () => {
    const cookies = await run('fetch-cache', 'no-transform-forwarded-cookies');
    expect(cookies.candidates.map((n) => [n.line, /forwards the caller/.test(n.message)])).toEqual([[5, true]]);
    const uc = await run('fetch-cache', 'no-transform-unstable-cache');
    expect(uc.candidates.map((n) => n.line)).toEqual([9]);
    expect(uc.candidates[0]!.message).toContain('closes over user');
  });

  it('leaves user-independent revalidate / force-cache fetches alone, and no-store ones', async () => {
    const s = await run('fetch-cache', 'no-transform-user-independent');
    expect(s.candidates).toEqual([]);
    expect(s.changes).toEqual([]);
  });
});

describe('session-id', () => {
  it("replaces the memo's fix 9 and says why it was wrong", async () => {
    const s = await run('session-id', 'memo-fix-9');
    expect(s.changes).toHaveLength(1);
    expect(s.changes[0]!.line).toBe(10);
    expect(s.changes[0]!.message).toMatch(/built from Date\.now\(\), user\.id → randomBytes\(32\)/);
    expect(s.changes[0]!.memoWasWrong).toContain('guessable');
  });

  it('leaves strong ids alone with a note refusing the memo fix', async () => {
    const s = await run('session-id', 'no-transform-safe-ids');
    expect(s.changes).toEqual([]);
    expect(s.notes.map((n) => n.line)).toEqual([5, 6, 7]);
    expect(s.notes[0]!.message).toContain('already randomBytes(32) (256 random bits)');
    expect(s.notes[0]!.message).toContain('not applied');
  });

  it('ignores timestamps that are not session ids', async () => {
    const s = await run('session-id', 'no-transform-filename-timestamp');
    expect([...s.changes, ...s.notes, ...s.candidates]).toEqual([]);
  });

  it('judges names and id expressions', () => {
    for (const n of ['sessionId', 'session_token', 'sid', 'csrfToken', 'SESSION_ID', 'token']) expect(isSessionName(n), n).toBe(true);
    for (const n of ['sessionTtlMs', 'tokenizer', 'filename', 'sessionCount', 'inside']) expect(isSessionName(n), n).toBe(false);
    const sf = new Project({ useInMemoryFileSystem: true }).createSourceFile(
      'x.ts',
      "a(randomBytes(8).toString('hex')); a(crypto.randomUUID()); a(`${user.id}`); a(nanoid());",
    );
    const [weak, uuid, userOnly, unknown] = sf.getDescendantsOfKind(SyntaxKind.CallExpression).filter((c) => c.getExpression().getText() === 'a').map((c) => idStrength(c.getArguments()[0]!));
    expect(weak).toEqual({ kind: 'weak', sources: ['randomBytes(8) (under 128 bits)'] });
    expect(uuid).toEqual({ kind: 'strong', what: 'randomUUID()' });
    expect(userOnly).toEqual({ kind: 'user-only', sources: ['user.id'] });
    expect(unknown).toEqual({ kind: 'unknown' });
  });
});

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
});
