// Placeholder until the diagnose work lands: the zod-validated target config.
export type TargetConfig = Record<string, unknown>;
