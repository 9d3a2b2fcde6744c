export function apiUrl(path: string): string {
  return `https://api.example.com${path}`;
}
