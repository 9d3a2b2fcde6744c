import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { keepConventions, writeAll } from '../src/apply/write-all.ts';
import { insertDependency } from '../src/apply/workspace.ts';
import { UsageError } from '../src/errors.ts';

const made: string[] = [];
afterAll(() => {
  for (const dir of made) {
    fs.chmodSync(dir, 0o755);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
function dir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'genie-write-'));
  made.push(d);
  return d;
}

describe('keepConventions', () => {
  it('keeps CRLF line endings and a BOM the codemod output lost', () => {
    expect(keepConventions('a\r\nb\r\n', 'a\nx\nb\n')).toBe('a\r\nx\r\nb\r\n');
    expect(keepConventions('\uFEFFa\n', 'a\nb\n')).toBe('\uFEFFa\nb\n');
    expect(keepConventions('a\nb\n', 'a\nx\nb\n')).toBe('a\nx\nb\n');
    expect(keepConventions(undefined, 'new\n')).toBe('new\n');
    // Mixed line endings, nothing edited (ts-morph's text in LF): the file comes back byte for byte.
    expect(keepConventions('a\r\nb\nc\r\nd\r\n', 'a\nb\nc\nd\n')).toBe('a\r\nb\nc\r\nd\r\n');
    expect(keepConventions('\uFEFFa\r\nb\n', 'a\r\nb\n')).toBe('\uFEFFa\r\nb\n');
  });
});

describe('writeAll', () => {
  it('writes every file with its mode kept, a CRLF file as CRLF', () => {
    const root = dir();
    fs.writeFileSync(path.join(root, 'run.ts'), 'a\r\nb\r\n');
    fs.chmodSync(path.join(root, 'run.ts'), 0o755);
    const written = writeAll(
      root,
      new Map([
        [path.join(root, 'run.ts'), { before: 'a\r\nb\r\n', after: 'a\nx\nb\n' }],
        [path.join(root, 'lib/genie/new.ts'), { before: undefined, after: 'n\n' }],
      ]),
    );
    expect(written.sort()).toEqual(['lib/genie/new.ts', 'run.ts']);
    expect(fs.readFileSync(path.join(root, 'run.ts'), 'utf8')).toBe('a\r\nx\r\nb\r\n');
    expect(fs.statSync(path.join(root, 'run.ts')).mode & 0o777).toBe(0o755);
  });

  it('writes nothing when one file is read-only, and says which', () => {
    const root = dir();
    fs.writeFileSync(path.join(root, 'a.ts'), 'a\n');
    fs.writeFileSync(path.join(root, 'locked.ts'), 'l\n');
    fs.chmodSync(path.join(root, 'locked.ts'), 0o444);
    const pending = new Map([
      [path.join(root, 'a.ts'), { before: 'a\n', after: 'A\n' }],
      [path.join(root, 'locked.ts'), { before: 'l\n', after: 'L\n' }],
    ]);
    expect(() => writeAll(root, pending)).toThrow(UsageError);
    expect(() => writeAll(root, pending)).toThrow(/nothing was written: locked\.ts is read-only/);
    expect(fs.readFileSync(path.join(root, 'a.ts'), 'utf8')).toBe('a\n');
    expect(fs.readFileSync(path.join(root, 'locked.ts'), 'utf8')).toBe('l\n');
  });

  it('writes nothing when a folder is a symlink out of the app (a route edit must not land without its template)', () => {
    const root = dir();
    const outside = dir();
    fs.mkdirSync(path.join(root, 'app'));
    fs.writeFileSync(path.join(root, 'app/route.ts'), 'r\n');
    fs.symlinkSync(outside, path.join(root, 'lib'));
    const pending = new Map([
      [path.join(root, 'app/route.ts'), { before: 'r\n', after: "import '@/lib/genie/x';\nr\n" }],
      [path.join(root, 'lib/genie/x.ts'), { before: undefined, after: 'x\n' }],
    ]);
    expect(() => writeAll(root, pending)).toThrow(/nothing was written: lib\/genie\/x\.ts resolves outside the target folder/);
    expect(fs.readFileSync(path.join(root, 'app/route.ts'), 'utf8')).toBe('r\n');
    expect(fs.readdirSync(outside)).toEqual([]);
  });

  it('puts back what it wrote when a later write fails', () => {
    const root = dir();
    fs.writeFileSync(path.join(root, 'a.ts'), 'a\n');
    fs.mkdirSync(path.join(root, 'sealed'));
    const pending = new Map([
      [path.join(root, 'a.ts'), { before: 'a\n', after: 'A\n' }],
      [path.join(root, 'sealed/new.ts'), { before: undefined, after: 'n\n' }],
    ]);
    fs.chmodSync(path.join(root, 'sealed'), 0o555);
    if (process.getuid?.() === 0) {
      // root writes into a 555 folder anyway; a file where a folder must go fails for everyone.
      fs.chmodSync(path.join(root, 'sealed'), 0o755);
      fs.writeFileSync(path.join(root, 'blocker'), 'file, not a folder\n');
      pending.delete(path.join(root, 'sealed/new.ts'));
      pending.set(path.join(root, 'blocker/new.ts'), { before: undefined, after: 'n\n' });
    }
    expect(() => writeAll(root, pending)).toThrow(/every file already written was restored/);
    expect(fs.readFileSync(path.join(root, 'a.ts'), 'utf8')).toBe('a\n');
  });
});

describe('insertDependency', () => {
  it('adds one line in sorted position and leaves blank lines and the rest as they were', () => {
    const pkg = '{\n  "name": "x",\n  "dependencies": {\n    "alpha": "1",\n\n    "zeta": "2"\n  },\n  "devDependencies": {\n    "zz": "1"\n  }\n}\n';
    expect(insertDependency(pkg, 'lru-cache', '^11.0.0')).toBe('{\n  "name": "x",\n  "dependencies": {\n    "alpha": "1",\n\n    "lru-cache": "^11.0.0",\n    "zeta": "2"\n  },\n  "devDependencies": {\n    "zz": "1"\n  }\n}\n');
    expect(insertDependency('{\r\n  "dependencies": {\r\n    "a": "1"\r\n  }\r\n}\r\n', 'b', '2')).toBe('{\r\n  "dependencies": {\r\n    "a": "1",\r\n    "b": "2"\r\n  }\r\n}\r\n');
    expect(insertDependency('{"dependencies":{"a":"1"}}', 'b', '2')).toBeUndefined();
  });
});
