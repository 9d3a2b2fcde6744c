'use server';

import { put } from '@vercel/blob';

export async function attachInvoice(formData: FormData) {
  const invoice = formData.get('invoice') as File;
  const data = await invoice.arrayBuffer();
  console.info(`invoice ${invoice.name}: ${data.byteLength} bytes`);
  if (data.byteLength === 0) return { error: 'empty file' };
  const blob = await put(`invoices/${invoice.name}`, data, { access: 'public' });
  return { url: blob.url };
}
