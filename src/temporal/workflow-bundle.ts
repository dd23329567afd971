/**
 * The prebuilt workflow bundles of the compiled service. `npm run build` (scripts/build.ts) writes
 * them to dist/ with a manifest: the project files and installed packages they were made from and
 * a hash of those. The compiled worker (src/temporal/worker.ts) loads one only after checking that
 * it is the one built with the compiled service, that it was not changed since, that the installed
 * packages are the ones it was built with and, where the sources are present (a checkout, not the
 * image), that they did not change since: otherwise it refuses to start, in one line.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const MANIFEST_FILE = 'workflow-bundle.json';
/** Without and with the failure converter of payload encryption (src/temporal/data-converter.ts). */
export const BUNDLE_FILES = { plain: 'workflow-bundle.js', encrypted: 'workflow-bundle-encrypted.js' } as const;
export type BundleKind = keyof typeof BUNDLE_FILES;

export interface BundleManifest {
  /** sourcesHash() of `sources` and `packages`. */
  sourcesHash: string;
  /** The project's files in the bundles, relative to the project directory. */
  sources: string[];
  /** The installed packages in the bundles: directory relative to the project → version. */
  packages: Record<string, string>;
  /** SHA-256 of each bundle file. */
  bundles: Record<BundleKind, string>;
}

/** The compiled service cannot use its workflow bundle; the message is one line. */
export class WorkflowBundleError extends Error {
  override readonly name = 'WorkflowBundleError';
}

export const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

function readOrNull(path: string): Buffer | null {
  try {
    return readFileSync(path);
  } catch {
    return null;
  }
}

/** The version in an installed package's package.json, or 'missing'. */
export function installedVersion(root: string, packageDir: string): string {
  const text = readOrNull(join(root, packageDir, 'package.json'));
  if (!text) return 'missing';
  const { version } = JSON.parse(text.toString('utf8')) as { version?: unknown };
  return typeof version === 'string' ? version : 'missing';
}

/** The hash of the sources (as the project directory holds them now) and of the package versions. */
export function sourcesHash(root: string, sources: readonly string[], packages: Readonly<Record<string, string>>): string {
  const hash = createHash('sha256');
  for (const file of [...sources].sort()) {
    const content = readOrNull(join(root, file));
    hash.update(`${file}\0${content ? sha256(content) : 'missing'}\0`);
  }
  for (const dir of Object.keys(packages).sort()) hash.update(`${dir}@${packages[dir]}\0`);
  return hash.digest('hex');
}

export function readManifest(distDir: string): BundleManifest | null {
  const text = readOrNull(join(distDir, MANIFEST_FILE));
  return text ? (JSON.parse(text.toString('utf8')) as BundleManifest) : null;
}

/**
 * The path of the prebuilt bundle of `kind` in `distDir`, checked as the module comment says.
 * `builtFrom` is the sources hash the compiled service was built with.
 */
export function prebuiltBundlePath(distDir: string, root: string, builtFrom: string, kind: BundleKind): string {
  const rebuild = 'run `npm run build`';
  const path = join(distDir, BUNDLE_FILES[kind]);
  const manifest = readManifest(distDir);
  if (!manifest) throw new WorkflowBundleError(`the prebuilt workflow bundle's manifest ${join(distDir, MANIFEST_FILE)} is missing: ${rebuild}`);
  if (manifest.sourcesHash !== builtFrom) throw new WorkflowBundleError(`${path} was built from other workflow sources than the compiled service: ${rebuild}`);
  const code = readOrNull(path);
  if (!code) throw new WorkflowBundleError(`the prebuilt workflow bundle ${path} is missing: ${rebuild}`);
  if (sha256(code) !== manifest.bundles[kind]) throw new WorkflowBundleError(`${path} was changed after the build: ${rebuild}`);
  for (const [dir, version] of Object.entries(manifest.packages)) {
    const installed = installedVersion(root, dir);
    if (installed !== version) throw new WorkflowBundleError(`${path} was built with ${dir} ${version}, ${installed} is installed: ${rebuild}`);
  }
  // The image holds no sources; a checkout does, and they may have changed since the build.
  const present = manifest.sources.some((file) => existsSync(join(root, file)));
  if (present && sourcesHash(root, manifest.sources, manifest.packages) !== manifest.sourcesHash) {
    throw new WorkflowBundleError(`the workflow sources changed since ${path} was built: ${rebuild}`);
  }
  return path;
}
