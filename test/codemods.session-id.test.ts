/** codemods/session-id.ts: its notes and reasons beyond the fixture text, and the name / id-strength judgments. Real runner on fixtures. */
import { describe, expect, it } from 'vitest';
import { runFixtureCase as run } from './codemod-fixture-harness.ts';
import { idStrength, isSessionName } from '../codemods/session-id.ts';
import { Project, SyntaxKind } from 'ts-morph';

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

  it("reports a session cookie whose value is the user's own id (forgeable), and leaves it as written", async () => {
    const s = await run('session-id', 'no-transform-user-id-cookie');
    expect(s.changes).toEqual([]);
    expect(s.candidates.map((n) => n.message)).toEqual([expect.stringContaining('session/token value built only from user.id')]);
  });
});
