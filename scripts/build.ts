/**
 * `npm run build`: the compiled service and CLI, and the workflow bundles the compiled worker loads.
 *
 * - dist/main.js, dist/cli.js: src/main.ts and src/cli.ts bundled by esbuild (ESM, Node 20, the
 *   packages left to node_modules), with dist/failure-converter.cjs beside them (payload encryption
 *   loads it by path: src/temporal/data-converter.ts).
 * - dist/workflow-bundle.js and dist/workflow-bundle-encrypted.js (with that failure converter),
 *   bundled as the worker bundles them from TypeScript (`bundleWorkflows`, src/temporal/worker.ts),
 *   and dist/workflow-bundle.json, the manifest the compiled worker checks them against
 *   (src/temporal/workflow-bundle.ts). The hash of their sources is built into dist/main.js too.
 *
 * The workflow bundles (seconds) are made again only when their sources or packages changed since
 * the last build, or with `--force`; the rest (well under a second) is made every time. Each file
 * is written beside its place and renamed into it, so that a service starting meanwhile reads
 * whole files.
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as esbuild } from 'esbuild';
import type { BundleOptions } from '@temporalio/worker';
import { ENCRYPTED_FAILURE_CONVERTER_PATH } from '../src/temporal/data-converter';
import { bundleWorkflows, WORKFLOWS_PATH } from '../src/temporal/worker';
import { BUNDLE_FILES, installedVersion, MANIFEST_FILE, readManifest, sha256, sourcesHash, type BundleKind, type BundleManifest } from '../src/temporal/workflow-bundle';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DIST = join(ROOT, 'dist');

export interface BuildReport {
  /** Whether the workflow bundles were made (false: they were up to date). */
  bundled: boolean;
  sourcesHash: string;
  ms: number;
}

function writeWhole(path: string, data: string | Uint8Array): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, data);
  renameSync(temporary, path);
}

function isUpToDate(manifest: BundleManifest | null): manifest is BundleManifest {
  if (!manifest) return false;
  const packages = Object.fromEntries(Object.keys(manifest.packages).map((dir) => [dir, installedVersion(ROOT, dir)]));
  if (sourcesHash(ROOT, manifest.sources, packages) !== manifest.sourcesHash) return false;
  return (Object.keys(BUNDLE_FILES) as BundleKind[]).every((kind) => {
    try {
      return sha256(readFileSync(join(DIST, BUNDLE_FILES[kind]))) === manifest.bundles[kind];
    } catch {
      return false;
    }
  });
}

/** The package directory (relative to the project) of a file in node_modules. */
function packageDirOf(file: string): string {
  const parts = relative(ROOT, file).split(sep);
  const last = parts.lastIndexOf('node_modules');
  const size = parts[last + 1]?.startsWith('@') ? 2 : 1;
  return parts.slice(0, last + 1 + size).join('/');
}

/** Both workflow bundles, and the project files and packages that went into them. */
async function bundleBoth(): Promise<BundleManifest> {
  const files = new Set<string>();
  const hook: BundleOptions['webpackConfigHook'] = (config) => ({
    ...config,
    plugins: [
      ...(config.plugins ?? []),
      {
        apply(compiler) {
          compiler.hooks.done.tap('invite-lite-sources', (stats) => {
            for (const file of stats.compilation.fileDependencies) files.add(file);
          });
        },
      },
    ],
  });
  const [plain, encrypted] = await Promise.all([
    bundleWorkflows(WORKFLOWS_PATH, undefined, hook),
    bundleWorkflows(WORKFLOWS_PATH, ENCRYPTED_FAILURE_CONVERTER_PATH, hook),
  ]);
  const sources: string[] = [];
  const packages: Record<string, string> = {};
  // Files only (webpack also lists the directories it looked in, and its generated entry point, which is in memory).
  const isFile = (path: string) => statSync(path, { throwIfNoEntry: false })?.isFile() === true;
  for (const file of files) {
    if (!file.startsWith(ROOT) || !isFile(file)) continue;
    if (file.split(sep).includes('node_modules')) {
      const dir = packageDirOf(file);
      packages[dir] = installedVersion(ROOT, dir);
    } else if (!file.endsWith(`${sep}package.json`) && !file.endsWith(`${sep}tsconfig.json`)) {
      sources.push(relative(ROOT, file).split(sep).join('/'));
    }
  }
  sources.sort();
  writeWhole(join(DIST, BUNDLE_FILES.plain), plain.code);
  writeWhole(join(DIST, BUNDLE_FILES.encrypted), encrypted.code);
  return { sourcesHash: sourcesHash(ROOT, sources, packages), sources, packages, bundles: { plain: sha256(plain.code), encrypted: sha256(encrypted.code) } };
}

/**
 * Both workflow bundles, made again when a source was changed while they were made (the hash is
 * of the files as they are afterwards, so it must be of what the bundler read).
 */
async function bundleUnchanged(): Promise<BundleManifest> {
  for (let attempt = 1; ; attempt++) {
    const started = Date.now();
    const manifest = await bundleBoth();
    const changed = manifest.sources.filter((file) => (statSync(join(ROOT, file), { throwIfNoEntry: false })?.mtimeMs ?? Number.POSITIVE_INFINITY) >= started);
    if (changed.length === 0) return manifest;
    if (attempt === 3) throw new Error(`workflow sources keep changing during the build: ${changed.join(', ')}`);
  }
}

/** The service and the CLI, with the workflow sources' hash built in (src/temporal/worker.ts). */
async function compile(hash: string): Promise<void> {
  const result = await esbuild({
    absWorkingDir: ROOT,
    entryPoints: { main: 'src/main.ts', cli: 'src/cli.ts' },
    outdir: DIST,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    define: { INVITE_LITE_WORKFLOW_SOURCES: JSON.stringify(hash) },
    logLevel: 'warning',
    write: false,
  });
  for (const file of result.outputFiles) writeWhole(file.path, file.contents);
  writeWhole(join(DIST, 'failure-converter.cjs'), readFileSync(ENCRYPTED_FAILURE_CONVERTER_PATH));
}

export async function build(options: { force?: boolean } = {}): Promise<BuildReport> {
  const started = performance.now();
  mkdirSync(DIST, { recursive: true });
  const previous = readManifest(DIST);
  const upToDate = !options.force && isUpToDate(previous);
  const manifest = upToDate ? previous : await bundleUnchanged();
  await compile(manifest.sourcesHash);
  // Last: a manifest names bundles that are already in place.
  if (!upToDate) writeWhole(join(DIST, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return { bundled: !upToDate, sourcesHash: manifest.sourcesHash, ms: performance.now() - started };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const report = await build({ force: process.argv.includes('--force') });
  process.stdout.write(
    `build: dist/main.js, dist/cli.js; workflow bundles ${report.bundled ? 'made' : 'up to date'} (sources ${report.sourcesHash.slice(0, 12)}), ${Math.round(report.ms)} ms\n`,
  );
  // The SDK's runtime (used by the bundler's logger) would keep the process alive.
  process.exit(0);
}
