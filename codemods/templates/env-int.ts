/**
 * Integer settings of the lib/genie modules, read from the environment once at module load: a missing,
 * non-numeric or too small value falls back to the default rather than turning a limit off.
 */
export function intFromEnv(name: string, fallback: number, min = 1): number {
  const parsed = Number.parseInt(process.env[name] ?? '', 10);
  return Number.isFinite(parsed) && parsed >= min ? parsed : fallback;
}
