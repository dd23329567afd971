/**
 * The shape the code keeps: production files short enough to read, and each process (onboarding,
 * offboarding) in one screen. Function length in workflows/ is Biome's (biome.jsonc), import cycles too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isFinal, OPEN_STAGES_OF, STAGES } from '../workflows/stages';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PRODUCTION = ['src', 'workflows', 'activities'];
const MAX_LINES = 350;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return files(path);
    return /\.(ts|cjs|js)$/.test(entry.name) ? [path] : [];
  });
}

const lines = (path: string) => readFileSync(path, 'utf8').split('\n').length;

describe('the code’s shape', () => {
  it(`has no production file over ${MAX_LINES} lines`, () => {
    const all = PRODUCTION.flatMap((dir) => files(join(ROOT, dir)));
    expect(all.length).toBeGreaterThan(50);
    const long = all.filter((f) => lines(f) > MAX_LINES).map((f) => `${relative(ROOT, f)}: ${lines(f)} lines`);
    expect(long).toEqual([]);
  });

  it.each(['onboarding', 'offboarding'] as const)('shows the %s’s stages in order in one screen', (process) => {
    const index = readFileSync(join(ROOT, `workflows/${process}/index.ts`), 'utf8');
    expect(index.split('\n').length).toBeLessThanOrEqual(80);
    const order = [...index.matchAll(/^ {2}([A-Z_0-9]+): \w+,/gm)].map((m) => m[1]);
    // Every open stage of the process, in the order a normal run passes them.
    expect(order).toEqual(OPEN_STAGES_OF[process]);
  });

  it('gives every open stage to a process', () => {
    const open = new Set<string>([...OPEN_STAGES_OF.onboarding, ...OPEN_STAGES_OF.offboarding]);
    expect(STAGES.filter((stage) => !isFinal(stage) && !open.has(stage))).toEqual([]);
  });
});
