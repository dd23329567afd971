/** The compiled service's check of its prebuilt workflow bundle (src/temporal/workflow-bundle.ts), on a made-up project directory. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUNDLE_FILES, MANIFEST_FILE, prebuiltBundlePath, sha256, sourcesHash, WorkflowBundleError, type BundleManifest } from '../src/temporal/workflow-bundle';

describe('the prebuilt workflow bundle check', () => {
  let root: string;
  let dist: string;
  let hash: string;

  const write = (path: string, text: string) => {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, text);
  };
  const check =
    (builtFrom = hash, kind: 'plain' | 'encrypted' = 'plain') =>
    () =>
      prebuiltBundlePath(dist, root, builtFrom, kind);

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'invite-lite-bundle-'));
    dist = join(root, 'dist');
    write(join(root, 'workflows/index.ts'), 'export * from "./onboarding";\n');
    write(join(root, 'workflows/onboarding.ts'), 'export async function onboarding() {}\n');
    write(join(root, 'node_modules/@temporalio/workflow/package.json'), JSON.stringify({ version: '1.24.0' }));
    const sources = ['workflows/index.ts', 'workflows/onboarding.ts'];
    const packages = { 'node_modules/@temporalio/workflow': '1.24.0' };
    hash = sourcesHash(root, sources, packages);
    write(join(dist, BUNDLE_FILES.plain), 'plain bundle');
    write(join(dist, BUNDLE_FILES.encrypted), 'encrypted bundle');
    const manifest: BundleManifest = { sourcesHash: hash, sources, packages, bundles: { plain: sha256('plain bundle'), encrypted: sha256('encrypted bundle') } };
    write(join(dist, MANIFEST_FILE), JSON.stringify(manifest));
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('gives the bundle of each kind when all matches', () => {
    expect(check()()).toBe(join(dist, BUNDLE_FILES.plain));
    expect(check(hash, 'encrypted')()).toBe(join(dist, BUNDLE_FILES.encrypted));
  });

  it('accepts a directory without the sources (the image), still checking the packages', () => {
    rmSync(join(root, 'workflows'), { recursive: true });
    expect(check()()).toBe(join(dist, BUNDLE_FILES.plain));
    write(join(root, 'node_modules/@temporalio/workflow/package.json'), JSON.stringify({ version: '1.25.0' }));
    expect(check()).toThrow(/built with node_modules\/@temporalio\/workflow 1\.24\.0, 1\.25\.0 is installed: run `npm run build`$/);
  });

  it('refuses when a workflow source changed, was removed, or the bundle was built for another service build', () => {
    write(join(root, 'workflows/onboarding.ts'), 'export async function onboarding() { return 1; }\n');
    expect(check()).toThrow(WorkflowBundleError);
    expect(check()).toThrow(/^the workflow sources changed since .*workflow-bundle\.js was built: run `npm run build`$/);
    write(join(root, 'workflows/onboarding.ts'), 'export async function onboarding() {}\n');
    expect(check()()).toBe(join(dist, BUNDLE_FILES.plain));
    rmSync(join(root, 'workflows/onboarding.ts'));
    expect(check()).toThrow(/workflow sources changed/);
    expect(check('0'.repeat(64))).toThrow(/built from other workflow sources than the compiled service/);
  });

  it('refuses a missing manifest, a missing bundle or a bundle changed after the build', () => {
    write(join(dist, BUNDLE_FILES.encrypted), 'encrypted bundle, edited');
    expect(check(hash, 'encrypted')).toThrow(/workflow-bundle-encrypted\.js was changed after the build/);
    rmSync(join(dist, BUNDLE_FILES.plain));
    expect(check()).toThrow(/the prebuilt workflow bundle .*workflow-bundle\.js is missing/);
    rmSync(join(dist, MANIFEST_FILE));
    expect(check()).toThrow(/manifest .*workflow-bundle\.json is missing: run `npm run build`$/);
  });
});
