// Placeholder until the diagnose work lands: pg sampler used with --database-url.
export interface DbProbe {
  maxConnections(): Promise<number>;
}
