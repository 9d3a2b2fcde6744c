import { describe, expect, it } from 'vitest';
import { perInstanceLimit, setUrlParams } from '../codemods/database-url.ts';
import { poolOptionsFromUrl } from '../codemods/templates/pool-options.ts';

describe('database-url helpers', () => {
  it('sizes the pool from the server and the instance count, never below 1', () => {
    expect(perInstanceLimit({ maxConnections: 100, reserved: 3 }, 5)).toBe(19); // (100-3-2)/5
    expect(perInstanceLimit({ maxConnections: 20, reserved: 3 }, 40)).toBe(1);
  });

  it('replaces and appends params without touching order, encoding or the fragment', () => {
    expect(setUrlParams('postgres://u:p%40ss@h/db?sslmode=require&connection_limit=50#x', [['connection_limit', '4'], ['pool_timeout', '10']])).toBe(
      'postgres://u:p%40ss@h/db?sslmode=require&connection_limit=4&pool_timeout=10#x',
    );
  });
});

describe('pool-options template', () => {
  it('maps the URL parameters to pg Pool options with the code values as fallbacks', () => {
    expect(poolOptionsFromUrl('postgres://h/db?connection_limit=3&pool_timeout=10&connect_timeout=5', { max: 5 })).toEqual({ max: 3, connectionTimeoutMillis: 10_000 });
    expect(poolOptionsFromUrl('postgres://h/db', { max: 5, connectionTimeoutMillis: 10_000 })).toEqual({ max: 5, connectionTimeoutMillis: 10_000 });
    expect(poolOptionsFromUrl(undefined)).toEqual({});
    expect(poolOptionsFromUrl('postgres://h/db?pool_timeout=0&connection_limit=abc', { max: 2 })).toEqual({ max: 2, connectionTimeoutMillis: 0 });
  });
});
