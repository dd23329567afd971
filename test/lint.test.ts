/**
 * The linter (`npm run lint`, part of `npm test`) refuses import cycles: the project's Biome, with
 * a copy of the project's configuration, run on a few modules in a temporary directory.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIOME = join(ROOT, 'node_modules', '.bin', 'biome');
const CONFIG = readFileSync(join(ROOT, 'biome.jsonc'), 'utf8');
const CYCLE_RULE = 'lint/suspicious/noImportCycles';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Lints these modules (paths under src/, as the configuration selects) with the project's configuration. */
function lint(modules: Record<string, string>): { code: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'invite-lite-lint-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'biome.jsonc'), CONFIG);
  mkdirSync(join(dir, 'src'));
  for (const [name, text] of Object.entries(modules)) writeFileSync(join(dir, 'src', name), text);
  // Not a Git checkout: the VCS integration (which only adds .gitignore's exclusions) is off.
  const run = spawnSync(BIOME, ['lint', '--vcs-enabled=false', '--config-path', join(dir, 'biome.jsonc'), 'src'], { cwd: dir, encoding: 'utf8' });
  if (run.error) throw run.error;
  return { code: run.status, output: `${run.stdout}${run.stderr}` };
}

/** The modules the cycle rule names, from Biome's `file:line:column rule` headings. */
function cycleFiles(output: string): string[] {
  const files = [...output.matchAll(/^(\S+?):\d+:\d+ (\S+)/gm)].filter((m) => m[2] === CYCLE_RULE).map((m) => m[1]!);
  return [...new Set(files)].sort();
}

describe('the linter', () => {
  it('refuses a cycle of three modules, naming the rule for each of them', () => {
    const { code, output } = lint({
      'a.ts': "import { b } from './b';\n\nexport const a = (): number => b() + 1;\n",
      'b.ts': "import { c } from './c';\n\nexport const b = (): number => c() + 1;\n",
      'c.ts': "import { a } from './a';\n\nexport const c = (): number => (a.length ? 0 : 1);\n",
    });
    expect(code, output).not.toBe(0);
    expect(cycleFiles(output), output).toEqual(['src/a.ts', 'src/b.ts', 'src/c.ts']);
  });

  it('refuses a cycle made of type-only imports too', () => {
    const { code, output } = lint({
      'query.ts': "import type { View } from './view';\n\nexport interface Row {\n  name: string;\n}\n\nexport const render = (view: View): string => view.title;\n",
      'view.ts': "import type { Row } from './query';\n\nexport interface View {\n  title: string;\n  rows: Row[];\n}\n",
    });
    expect(code, output).not.toBe(0);
    expect(cycleFiles(output), output).toEqual(['src/query.ts', 'src/view.ts']);
  });

  it('passes the same modules once the imports go one way only', () => {
    const { code, output } = lint({
      'models.ts': 'export interface Row {\n  name: string;\n}\n',
      'view.ts': "import type { Row } from './models';\n\nexport const line = (row: Row): string => row.name;\n",
      'query.ts': "import type { Row } from './models';\nimport { line } from './view';\n\nexport const lines = (rows: Row[]): string[] => rows.map(line);\n",
    });
    expect(output).not.toContain(CYCLE_RULE);
    expect(code, output).toBe(0);
    expect(output).toMatch(/Checked 3 files/);
  });
});
