/**
 * Downloads one asset of a release and checks it against the release's SHA-256 checksums file
 * before anything unpacks it (scripts/temporal-cli.sh runs it for the Temporal CLI's archive):
 *
 *   tsx scripts/release-download.ts <release URL> <checksums file name> <asset name> <output file> [<SHA-256>]
 *
 * The release URL is https:// (http:// only to this machine), without credentials, query or
 * fragment; every redirect must stay so (each hop is checked). The checksums file has one
 * `<sha256 hex>  <file name>` a line (as `sha256sum` and GoReleaser write it). It comes from where
 * the archive comes from, so it catches a damaged download, not a changed release: a SHA-256 given
 * as the fifth argument (TEMPORAL_CLI_SHA256) must match as well. On success the output file holds the verified asset
 * and its URL is printed; otherwise one line on stderr says what failed, with exit code 1, or 2
 * when the release URL itself is not allowed.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { isLoopbackUrl } from '../src/loopback';

/** A download that sends nothing for this long is given up. */
const STALL_MS = 60_000;
const MAX_CHECKSUMS_BYTES = 1 << 20;
const MAX_ASSET_BYTES = 512 << 20;
const MAX_REDIRECTS = 5;
const REDIRECT = new Set([301, 302, 303, 307, 308]);

class Failure extends Error {}

/** Why a release URL may not be used, or undefined when it may. */
function refusal(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a URL';
  }
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && isLoopbackUrl(url))) return 'must be https:// (http:// only to this machine)';
  if (parsed.username || parsed.password) return 'must not contain credentials';
  if (parsed.search || parsed.hash) return 'must not have a query or fragment';
  return undefined;
}

/** The body of `url`, at most `limit` bytes; gives up when the server stalls for STALL_MS. */
async function fetchBytes(url: string, limit: number): Promise<Buffer> {
  const controller = new AbortController();
  let timer = setTimeout(() => controller.abort(), STALL_MS);
  try {
    let response = await fetch(url, { signal: controller.signal, redirect: 'manual' });
    for (let hops = 0; REDIRECT.has(response.status); hops += 1) {
      const location = response.headers.get('location');
      const next = location ? new URL(location, response.url || url).href : '';
      if (!next || refusal(next) || hops >= MAX_REDIRECTS) throw new Failure(`${url} redirected to a URL that is not allowed`);
      await response.body?.cancel();
      response = await fetch(next, { signal: controller.signal, redirect: 'manual' });
    }
    if (!response.ok) throw new Failure(`HTTP ${response.status} from ${url}`);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body ?? []) {
      clearTimeout(timer);
      timer = setTimeout(() => controller.abort(), STALL_MS);
      size += chunk.length;
      if (size > limit) throw new Failure(`${url} is larger than ${limit} bytes`);
      chunks.push(Buffer.from(chunk));
    }
    return Buffer.concat(chunks);
  } catch (error) {
    if (error instanceof Failure) throw error;
    if (controller.signal.aborted) throw new Failure(`${url} sent nothing for ${STALL_MS / 1000} s`);
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
    throw new Failure(`could not fetch ${url}: ${cause}`);
  } finally {
    clearTimeout(timer);
  }
}

/** The SHA-256 the checksums file gives for `asset`. */
function listedSha256(checksums: string, asset: string): string | undefined {
  for (const line of checksums.split(/\r?\n/)) {
    const match = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(line.trim());
    if (match && match[2] === asset) return match[1]!.toLowerCase();
  }
  return undefined;
}

async function main(args: string[]): Promise<number> {
  const [releaseUrl, checksumsName, asset, output, pinned] = args;
  if (!releaseUrl || !checksumsName || !asset || !output) {
    console.error('usage: release-download.ts <release URL> <checksums file name> <asset name> <output file> [<SHA-256>]');
    return 2;
  }
  if (pinned && !/^[0-9a-fA-F]{64}$/.test(pinned)) {
    console.error('TEMPORAL_CLI_SHA256 must be 64 hexadecimal digits');
    return 2;
  }
  const why = refusal(releaseUrl);
  if (why) {
    console.error(why);
    return 2;
  }
  const base = releaseUrl.replace(/\/+$/, '');
  try {
    const checksums = (await fetchBytes(`${base}/${checksumsName}`, MAX_CHECKSUMS_BYTES)).toString('utf8');
    const expected = listedSha256(checksums, asset);
    if (!expected) throw new Failure(`${base}/${checksumsName} lists no ${asset}`);
    const body = await fetchBytes(`${base}/${asset}`, MAX_ASSET_BYTES);
    const actual = createHash('sha256').update(body).digest('hex');
    if (actual !== expected) throw new Failure(`${base}/${asset} has SHA-256 ${actual}, but ${checksumsName} says ${expected}`);
    if (pinned && actual !== pinned.toLowerCase()) throw new Failure(`${base}/${asset} has SHA-256 ${actual}, but TEMPORAL_CLI_SHA256 says ${pinned.toLowerCase()}`);
    writeFileSync(output, body, { mode: 0o600 });
    console.log(`${base}/${asset}`);
    return 0;
  } catch (error) {
    console.error(error instanceof Failure ? error.message : String(error));
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
