/** Takes whole buffers only: the type checker must not let a stream in here. */
export async function saveToStorage(label: string, data: Buffer): Promise<{ key: string }> {
  return { key: `${label}:${data.length}` };
}
