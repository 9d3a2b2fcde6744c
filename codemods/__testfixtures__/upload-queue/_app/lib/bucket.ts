/** A stand-in object store: files uploaded earlier are fetched back by their key. */
export async function fetchStoredObject(key: string): Promise<Blob> {
  return new Blob([`stored:${key}`]);
}

export async function indexChunks(key: string, data: Buffer): Promise<number> {
  return Math.ceil(data.length / 4096) + key.length * 0;
}
