import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, describe, expect, it } from 'vitest';
import {
  UploadBusyError,
  configureUploadSlots,
  STREAM_PIECE_BYTES,
  fileToNodeStream,
  uploadSlotStats,
  withUploadSlot,
} from '../../codemods/templates/upload-stream.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

afterEach(() => configureUploadSlots({ maxConcurrency: 3, maxQueued: 100, maxWaitMs: 30_000 }));

describe('withUploadSlot', () => {
  it('never runs more than maxConcurrency uploads at once and completes every one of 40', async () => {
    configureUploadSlots({ maxConcurrency: 3, maxQueued: 100, maxWaitMs: 10_000 });
    let active = 0;
    let peak = 0;
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        withUploadSlot(async () => {
          active++;
          peak = Math.max(peak, active);
          await sleep(2 + (i % 4));
          active--;
          return i;
        }),
      ),
    );
    expect(results).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(peak).toBe(3);
    expect(uploadSlotStats()).toMatchObject({ active: 0, maxActiveSeen: 3, completed: 40, refused: 0 });
  });

  it('refuses a caller with UploadBusyError after maxWaitMs without a slot, and never starts its upload', async () => {
    configureUploadSlots({ maxConcurrency: 1, maxQueued: 10, maxWaitMs: 30 });
    const started: string[] = [];
    const slow = withUploadSlot(async () => {
      started.push('slow');
      await sleep(150);
      return 'slow';
    });
    const t0 = Date.now();
    const waiting = withUploadSlot(async () => {
      started.push('late');
      return 'late';
    });
    await expect(waiting).rejects.toBeInstanceOf(UploadBusyError);
    expect(Date.now() - t0).toBeLessThan(140);
    await expect(slow).resolves.toBe('slow');
    await sleep(10);
    expect(started).toEqual(['slow']);
    expect(uploadSlotStats().refused).toBe(1);
  });

  it('refuses at once when the waiting line is full', async () => {
    configureUploadSlots({ maxConcurrency: 1, maxQueued: 1, maxWaitMs: 5_000 });
    const first = withUploadSlot(() => sleep(40));
    const second = withUploadSlot(() => sleep(1));
    await expect(withUploadSlot(async () => 'third')).rejects.toThrow(/already waiting/);
    await Promise.all([first, second]);
  });

  it('passes an upload error through unchanged and frees the slot', async () => {
    configureUploadSlots({ maxConcurrency: 1, maxQueued: 10, maxWaitMs: 1_000 });
    const boom = new Error('drive said no');
    await expect(withUploadSlot(async () => Promise.reject(boom))).rejects.toBe(boom);
    await expect(withUploadSlot(async () => 'next')).resolves.toBe('next');
  });

  it('a started upload is not cut short by the wait bound', async () => {
    configureUploadSlots({ maxConcurrency: 1, maxQueued: 10, maxWaitMs: 20 });
    await expect(withUploadSlot(() => sleep(80).then(() => 'done'))).resolves.toBe('done');
  });
});

describe('fileToNodeStream', () => {
  it('streams a 6 MB File byte for byte, in pieces of at most STREAM_PIECE_BYTES', async () => {
    const bytes = new Uint8Array(6 * 1024 * 1024);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + (i >> 11)) & 0xff;
    const file = new File([bytes], 'passport.pdf', { type: 'application/pdf' });
    const hash = createHash('sha256');
    let total = 0;
    let largest = 0;
    await pipeline(
      fileToNodeStream(file),
      new Writable({
        write(chunk: Buffer, _enc, done) {
          total += chunk.length;
          largest = Math.max(largest, chunk.length);
          hash.update(chunk);
          done();
        },
      }),
    );
    expect(total).toBe(bytes.length);
    expect(largest).toBeLessThanOrEqual(STREAM_PIECE_BYTES);
    expect(hash.digest('hex')).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('reads the File only as fast as the consumer takes it (one piece ahead at most)', async () => {
    let sliced = 0;
    class CountingBlob extends Blob {
      override slice(start?: number, end?: number, type?: string): Blob {
        sliced++;
        return super.slice(start, end, type);
      }
    }
    const blob = new CountingBlob([new Uint8Array(40 * STREAM_PIECE_BYTES)]);
    const stream = fileToNodeStream(blob);
    const first = await new Promise<Buffer>((resolve) => stream.once('data', (chunk: Buffer) => { stream.pause(); resolve(chunk); }));
    await sleep(30);
    expect(first.length).toBe(STREAM_PIECE_BYTES);
    expect(sliced).toBeLessThanOrEqual(3);
    stream.destroy();
  });
});
