/** Loopback servers for the lab proxy tests, closed after each test. */
import net from 'node:net';
import { afterEach } from 'vitest';

export const cleanups: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

export function listen<T extends net.Server>(server: T): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
}

export function closeServer(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Bytes whose value encodes their position, so any reordering or loss shows. */
export function pattern(size: number, offset = 0): Buffer {
  const buf = Buffer.alloc(size);
  for (let i = 0; i < size; i++) buf[i] = (offset + i) % 251;
  return buf;
}
