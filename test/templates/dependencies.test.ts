import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { templateDependencies } from '../../codemods/templates/dependencies.ts';

const dir = fileURLToPath(new URL('../../codemods/templates/', import.meta.url));
const templates = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && f !== 'dependencies.ts')
  .map((f) => ({ name: f.slice(0, -3), text: readFileSync(`${dir}${f}`, 'utf8') }));
const root = fileURLToPath(new URL('../../', import.meta.url));

function importsOf(text: string): string[] {
  return [...text.matchAll(/^\s*import\s[^'"]*['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
}

describe('templateDependencies', () => {
  it('lists exactly the packages each template imports, and nothing else is imported', () => {
    expect(Object.keys(templateDependencies).sort()).toEqual(templates.map((t) => t.name).sort());
    for (const template of templates) {
      const imports = importsOf(template.text);
      // Copied into the user's app with the siblings it imports (workspace.addTemplate): a relative import must
      // name another template; otherwise only node: built-ins and declared packages.
      const siblings = new Set(templates.map((t) => `./${t.name}.js`));
      expect(imports.filter((i) => i.startsWith('.') && !siblings.has(i)), template.name).toEqual([]);
      const packages = imports.filter((i) => !i.startsWith('node:') && !i.startsWith('.'));
      // `@types/x` rides along with an imported untyped `x`.
      expect(Object.keys(templateDependencies[template.name]!).filter((d) => !d.startsWith('@types/')).sort(), template.name).toEqual([...new Set(packages)].sort());
    }
  });

  it('pins each package to a range that admits the version the tests ran against', () => {
    for (const deps of Object.values(templateDependencies)) {
      for (const [name, range] of Object.entries(deps)) {
        // Read from disk: some packages (lru-cache) do not export their package.json.
        const installed = (JSON.parse(readFileSync(`${root}node_modules/${name}/package.json`, 'utf8')) as { version: string }).version;
        const [major] = installed.split('.');
        expect(range, name).toMatch(new RegExp(`^\\^${major}\\.`));
        expect(range.slice(1).localeCompare(installed, undefined, { numeric: true }), name).toBeLessThanOrEqual(0);
      }
    }
  });
});
