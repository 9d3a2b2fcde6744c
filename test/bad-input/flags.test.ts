/**
 * Integer flags go through one strict parser: "" is not 0, 0x10 is not 16, and out-of-range values
 * are refused with the allowed range, before anything starts (no lab, no request).
 */
import { describe, it } from 'vitest';
import { expectRefusal, genieFix } from './helpers.ts';

// 127.0.0.1:9 (discard) is never contacted: the flag is refused first.
const url = 'http://127.0.0.1:9';

describe('integer flags', () => {
  const cases: Array<[string[], RegExp]> = [
    [['diagnose', '--url', url, '--users', ''], /--users must be an integer from 1 to 2000, got ""/],
    [['diagnose', '--url', url, '--users', '0x10'], /--users must be an integer from 1 to 2000, got "0x10"/],
    [['diagnose', '--url', url, '--users', '1e3'], /got "1e3"/],
    [['diagnose', '--url', url, '--users', '2001'], /from 1 to 2000, got "2001"/],
    [['diagnose', '--url', url, '--runs', '0'], /--runs must be an integer from 1 to 20, got "0"/],
    [['demo', '--users', '0x10'], /--users must be an integer from 1 to 2000, got "0x10"/],
    [['demo', '--instances', '0'], /--instances must be an integer from 1 to 64, got "0"/],
    [['export', 'artillery', '--users', '-5'], /--users must be an integer from 1 to 100000, got "-5"/],
    [['lab', 'up', '--instances', '0'], /--instances must be an integer from 1 to 64, got "0"/],
    [['lab', 'up', '--max-connections', '2'], /--max-connections must be an integer from 5 to 10000/],
    [['apply', '.', '--instances', '0'], /--instances must be an integer 1 or more, got "0"/],
    [['mock-gemini', '--port', '70000'], /--port must be an integer from 0 to 65535, got "70000"/],
  ];
  for (const [args, problem] of cases) {
    it(args.join(' ') || '(empty)', async () => {
      expectRefusal(await genieFix(args), 2, problem);
    });
  }
});
