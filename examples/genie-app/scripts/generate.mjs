// Runs `prisma generate` for the build.
//
// Prisma's CLI downloads a schema-engine binary before generating even though generation never
// uses it; where that download host is unreachable (CI sandboxes, air-gapped builders) pointing
// PRISMA_SCHEMA_ENGINE_BINARY at any executable lets generation finish. The runtime client talks to
// Postgres through @prisma/adapter-pg and needs no engine binary at all.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const appDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(appDir, 'package.json'));
const prismaCli = require.resolve('prisma/build/index.js');

const env = { ...process.env, CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1' };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY) {
  env.PRISMA_SCHEMA_ENGINE_BINARY = ['/bin/true', '/usr/bin/true'].find((p) => existsSync(p)) ?? process.execPath;
}

const result = spawnSync(process.execPath, [prismaCli, 'generate', '--schema', 'prisma/schema.prisma'], {
  cwd: appDir,
  env,
  stdio: 'inherit',
});
if (result.error) throw result.error;
process.exit(result.status ?? 1);
