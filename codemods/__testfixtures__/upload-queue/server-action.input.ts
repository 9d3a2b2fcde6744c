'use server';

import { put } from '@vercel/blob';

export async function uploadReceipt(formData: FormData) {
  const receipt = formData.get('receipt') as File;
  const bytes = await receipt.arrayBuffer();
  const blob = await put(`receipts/${receipt.name}`, bytes, { access: 'public' });
  return blob.url;
}
