/**
 * scripts/temporal-cli.sh, which `npm start` and `npm test` run first: where it looks for the
 * Temporal CLI, in order (TEMPORAL_CLI_PATH, `temporal` on PATH, the cache keyed by version), what
 * it says when nothing is found, and that a cached run is quick and changes nothing.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const SCRIPT = resolve('scripts/temporal-cli.sh');
const dir = mkdtempSync(join(tmpdir(), 'invite-lite-provisioning-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An executable file at `path` (a stand-in for a Temporal CLI). */
function executable(path: string): string {
  mkdirSync(resolve(path, '..'), { recursive: true });
  writeFileSync(path, '#!/bin/sh\necho temporal\n');
  chmodSync(path, 0o755);
  return path;
}

/** An empty folder: a PATH without Go or a Temporal CLI (the script needs no other program before it builds). */
const EMPTY_PATH = join(dir, 'empty-bin');
mkdirSync(EMPTY_PATH);

/** Runs the script with only the given environment. */
function run(env: Record<string, string>) {
  const started = Date.now();
  const result = spawnSync('/bin/bash', [SCRIPT], {
    env: { PATH: EMPTY_PATH, HOME: join(dir, 'home'), ...env },
    encoding: 'utf8',
  });
  return { code: result.status, out: result.stdout.trim(), err: result.stderr.trim(), ms: Date.now() - started };
}

describe('scripts/temporal-cli.sh', () => {
  const cacheRoot = join(dir, 'cache');
  const cached = executable(join(cacheRoot, 'temporal-cli', 'v1.5.1', 'temporal'));
  const onPath = executable(join(dir, 'bin', 'temporal'));
  const given = executable(join(dir, 'given', 'temporal'));

  it('takes TEMPORAL_CLI_PATH first, then `temporal` on PATH, then the cache', () => {
    const path = `${join(dir, 'bin')}:${EMPTY_PATH}`;
    expect(run({ TEMPORAL_CLI_PATH: given, PATH: path, INVITE_LITE_CACHE: cacheRoot }).out).toBe(given);
    expect(run({ PATH: path, INVITE_LITE_CACHE: cacheRoot }).out).toBe(onPath);
    expect(run({ PATH: path, TEMPORAL_CLI_IGNORE_PATH: '1', INVITE_LITE_CACHE: cacheRoot }).out).toBe(cached);
    expect(run({ INVITE_LITE_CACHE: cacheRoot }).out).toBe(cached);
  });

  it('keys the cache by version', () => {
    const other = executable(join(cacheRoot, 'temporal-cli', 'v9.9.9', 'temporal'));
    expect(run({ INVITE_LITE_CACHE: cacheRoot, TEMPORAL_CLI_VERSION: 'v9.9.9' }).out).toBe(other);
  });

  it('is quick and changes nothing once cached', () => {
    const before = readdirSync(join(cacheRoot, 'temporal-cli', 'v1.5.1'));
    const runs = [run({ INVITE_LITE_CACHE: cacheRoot }), run({ INVITE_LITE_CACHE: cacheRoot })];
    for (const r of runs) {
      expect(r).toMatchObject({ code: 0, out: cached, err: '' });
      expect(r.ms).toBeLessThan(2_000);
    }
    expect(readdirSync(join(cacheRoot, 'temporal-cli', 'v1.5.1'))).toEqual(before);
  });

  it('stops with one line naming what to do when a setting is wrong or nothing is found', () => {
    const bad = run({ TEMPORAL_CLI_PATH: join(dir, 'nowhere', 'temporal'), INVITE_LITE_CACHE: cacheRoot });
    expect(bad.code).toBe(1);
    expect(bad.out).toBe('');
    expect(bad.err).toBe(`temporal-cli: TEMPORAL_CLI_PATH=${join(dir, 'nowhere', 'temporal')} is not an executable file`);

    const none = run({ INVITE_LITE_CACHE: join(dir, 'empty-cache') });
    expect(none.code).toBe(1);
    expect(none.err).toBe('temporal-cli: no Temporal CLI found and no Go toolchain to build one: install Go >= 1.25 or set TEMPORAL_CLI_PATH');
  });
});
