/** The words optimistic-lock prints: where the memo was wrong, and why a site was changed, refused or left alone. */

export const MEMO =
  'the memo re-read updatedAt and wrote with it in the same request: that only narrows the window, because the value it checks is the one it just read, not the one the user (or the read-modify-write) started from';

export const MARKER = '// genie-fix: version-check';

export function blindWriteNote(label: string, method: string, versionField: string, relPath: string): string {
  return `blind ${label} in ${method} (nothing read from the row feeds it): kept as written. Two clients editing the same record still overwrite each other; if your clients send back the ${versionField} they read, opt in with \`--version-check ${relPath}\` or a \`${MARKER}\` comment in the file`;
}

export function noVersionNote(model: string): string {
  return `${model} has no version or updatedAt field in the Prisma schema: last write wins; add \`version Int @default(0)\` to protect it`;
}

export function atomicMessage(label: string, derived: string[], ops: string[]): string {
  return `${label} wrote ${derived.join(', ')} computed from a value read earlier: two concurrent requests both read the same total and one change was lost. Now an atomic ${ops.join(', ')} done by the database`;
}

export function compareAndSetMessage(label: string, readVar: string, checked: string[], expected: string[], library: boolean): string {
  const conflict = library
    ? 'throwing ConflictError (exported by lib/genie/optimistic-lock) to the callers of this function, which can retry with retryOnConflict or answer 409'
    : 'answering 409 on a conflict; the client retries with fresh data';
  // A check that ends the request before the write is a transition: two requests both pass it and both act.
  const race = checked.length
    ? 'a concurrent request could change the record in between (or pass the same check), and one of the two writes was lost or both acted on the same state'
    : 'a concurrent request could change the record in between and one of the two writes was lost';
  return `${label} wrote data computed from ${readVar} (read earlier${checked.length ? `, and checked: ${checked.join(', ')}` : ''}): ${race}. Now a compare-and-set through versionedUpdate (updateMany where ${expected.join(', ')} still ${expected.length > 1 ? 'match' : 'matches'} what was read, count checked), ${conflict}`;
}

export function clientVersionMessage(label: string, method: string, body: string, versionField: string): string {
  return `blind ${label} in ${method} (opted in): now accepts the ${versionField} the client read (${body}.${versionField}) and writes through versionedUpdate (updateMany where ${versionField} matches + count check), 409 when someone else changed it first; requests without it keep today's behaviour`;
}

export function transactionMessage(label: string, readVar: string, fields: string[], kind: 'array' | 'interactive', route: boolean): string {
  const form = kind === 'array' ? '$transaction([…])' : 'an interactive $transaction';
  const answer = route ? 'the route answers 409 (the client retries with fresh data)' : 'ConflictError (exported by lib/genie/optimistic-lock) reaches the callers, who can retry with retryOnConflict or answer 409';
  return `${label} in ${form} wrote data that depends on ${readVar} (read earlier): a transaction does not stop a concurrent request from changing ${fields.join(', ')} between that read and this write (at Read Committed two requests can both pass the same check on the same read), so the write, and anything the transaction computed from the read (a ledger balance, a total), could rest on a stale value. Now a compare-and-set: its where also requires ${fields.map((f) => `${f} = ${readVar}.${f}`).join(', ')}; when the row changed since the read, Prisma finds none (P2025), the whole transaction rolls back, and ${answer}`;
}

export function serializableNote(label: string, readVar: string): string {
  return `${label} is checked and written from ${readVar}, read in the same serializable transaction: the database aborts one of two concurrent runs (P2034), so the check holds; left as written`;
}
