// `prisma generate` wants a schema-engine binary it never runs while generating; on hosts that
// cannot download one, any executable named in PRISMA_SCHEMA_ENGINE_BINARY will do. The client
// itself reaches PostgreSQL through @prisma/adapter-pg and needs no engine.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = createRequire(path.join(root, 'package.json')).resolve('prisma/build/index.js');
const env = { ...process.env, CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1' };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= ['/bin/true', '/usr/bin/true'].find(existsSync) ?? process.execPath;

const run = spawnSync(process.execPath, [cli, 'generate', '--schema', 'prisma/schema.prisma'], { cwd: root, env, stdio: 'inherit' });
if (run.error) throw run.error;
process.exit(run.status ?? 1);
