'use server';

import { put } from '@vercel/blob';
import { fileToNodeStream, withUploadSlot } from '@/lib/genie/upload-stream';

export async function uploadReceipt(formData: FormData) {
  const receipt = formData.get('receipt') as File;
  const blob = await withUploadSlot(() => put(`receipts/${receipt.name}`, fileToNodeStream(receipt), { access: 'public' }));
  return blob.url;
}
