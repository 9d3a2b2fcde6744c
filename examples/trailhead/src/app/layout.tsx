import type { ReactNode } from 'react';

export const metadata = { title: 'Trailhead', description: 'Trails, summit logs and a ranger to ask' };

export default function Layout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body style={{ fontFamily: 'Georgia, serif', margin: '3rem auto', maxWidth: 720 }}>{children}</body>
    </html>
  );
}
