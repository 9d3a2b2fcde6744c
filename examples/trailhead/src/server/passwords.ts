import { scrypt, timingSafeEqual } from 'node:crypto';

// Stored as `<N>.<r>.<p>:<salt b64>:<key b64>`.
export async function secretMatches(secret: string, stored: string): Promise<boolean> {
  const [cost, saltB64, keyB64] = stored.split(':');
  const [N, r, p] = (cost ?? '').split('.').map(Number);
  if (!saltB64 || !keyB64 || !N || !r || !p) return false;
  const expected = Buffer.from(keyB64, 'base64');
  const actual = await new Promise<Buffer>((resolve, reject) =>
    scrypt(secret, Buffer.from(saltB64, 'base64'), expected.length, { N, r, p, maxmem: 256 * N * r }, (err, key) => (err ? reject(err) : resolve(key))),
  );
  return timingSafeEqual(actual, expected);
}
