/**
 * --database-url, every malformed form: a one-line usage error (exit 2) before the first request,
 * never a stack (exit 70) or a DNS lookup of "base" (exit 3), and never the password.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort, expectRefusal, genieFix, misbehavingServer, tempDir, type TestServer } from './helpers.ts';

let target: TestServer;
let dir: string;
beforeAll(async () => {
  target = await misbehavingServer('html');
  dir = tempDir('dburl');
});
afterAll(async () => {
  await target.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const diagnose = (databaseUrl: string) =>
  genieFix(['diagnose', '--url', target.url, '--scenario', 'pool-exhaustion', '--database-url', databaseUrl, '--out', dir]);

describe('malformed --database-url: exit 2, one line, before the first request', () => {
  const cases: Array<[string, string, RegExp, string[]]> = [
    ['port out of range', 'postgres://app:Pw0rdPort1@127.0.0.1:99999/app', /port 99999; a port is a whole number from 1 to 65535/, ['Pw0rdPort1']],
    ['unencoded / in the password', 'postgres://app:Sl/ashSecret7@127.0.0.1:5432/app', /--database-url is not a valid URL .*percent-encode/, ['Sl/ashSecret7', 'ashSecret7']],
    ['unencoded # in the password', 'postgres://app:Ha#shSecret7@127.0.0.1:5432/app', /--database-url is not a valid URL .*percent-encode/, ['Ha#shSecret7', 'shSecret7']],
    ['unencoded # after a numeric password start', 'postgres://app:12#shSecret7@127.0.0.1:5432/app', /ends the user:password part .*percent-encode/, ['shSecret7']],
    ['not a URL at all', 'notaurl', /neither a postgres:\/\/ URL nor libpq key=value settings/, []],
    ['another database', 'mysql://root:MyS3cretSQL@127.0.0.1:3306/app', /must start with postgres:\/\//, ['MyS3cretSQL']],
    ['key=value with a bad port', 'host=127.0.0.1 port=99999 user=app password=KvBadPort9', /port 99999/, ['KvBadPort9']],
    ['key=value with a misspelt key', 'host=127.0.0.1 user=app passwrd=KvTypo99', /unknown setting passwrd/, ['KvTypo99']],
    ['empty', '', /--database-url is empty/, []],
  ];
  for (const [name, value, problem, secrets] of cases) {
    it(name, async () => {
      const run = await diagnose(value);
      expectRefusal(run, 2, problem, secrets);
      expect(target.requests).toBe(0);
    });
  }
});

describe('libpq key=value form', () => {
  it('is understood and its password never printed (exit 3 when the server is not there)', async () => {
    const port = await closedPort();
    const run = await diagnose(`host=127.0.0.1 port=${port} user=postgres password=KvStyleSecret9 dbname=genie`);
    expectRefusal(run, 3, new RegExp(`cannot connect to --database-url 127\\.0\\.0\\.1:${port}/genie: .*ECONNREFUSED`), ['KvStyleSecret9']);
  });

  it("a quoted password with spaces is masked whole", async () => {
    const port = await closedPort();
    const run = await diagnose(`host=127.0.0.1 port=${port} password='two words\\'quoted' dbname=genie`);
    expectRefusal(run, 3, /cannot connect to --database-url/, ['two words', 'quoted']);
  });
});
