/**
 * scripts/temporal-cli.sh, which `npm start` and `npm test` run first: where it looks for the
 * Temporal CLI, in order (TEMPORAL_CLI_PATH, `temporal` on PATH, the cache keyed by version, the
 * Temporal SDK's download of the pinned version, the release archive checked against its
 * checksums, a Go build), what it says when something fails, and that nothing half-done stays in
 * the cache. Every run downloads from a loopback mirror made here, never from GitHub.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SCRIPT = resolve('scripts/temporal-cli.sh');
const dir = mkdtempSync(join(tmpdir(), 'invite-lite-provisioning-'));
const VERSION_LINE = 'temporal version 1.5.1 (Server 1.29.1, UI 2.42.1)';

/** An executable file at `path` (a stand-in for a Temporal CLI) that prints `said`. */
function executable(path: string, said = 'temporal', mode = 0o755): string {
  mkdirSync(resolve(path, '..'), { recursive: true });
  writeFileSync(path, `#!/bin/sh\necho '${said}'\n`);
  chmodSync(path, mode);
  return path;
}

/** The programs the script uses besides Go and a Temporal CLI, linked into one folder: the PATH of every run. */
const TOOLS = join(dir, 'tools');
mkdirSync(TOOLS);
symlinkSync(process.execPath, join(TOOLS, 'node'));
for (const tool of ['tar', 'gzip', 'uname', 'mkdir', 'mktemp', 'rm', 'mv', 'cp', 'chmod', 'find', 'head', 'tail', 'dirname']) {
  const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
  if (!found) throw new Error(`${tool} is not on PATH`);
  symlinkSync(found, join(TOOLS, tool));
}

/** A stand-in `go` that records each call and "builds" a CLI that prints `built`. */
const GO_BIN = join(dir, 'go-bin');
const GO_CALLS = join(dir, 'go-calls');
mkdirSync(GO_BIN);
writeFileSync(join(GO_BIN, 'go'), `#!/bin/sh\necho "$*" >> '${GO_CALLS}'\nprintf '#!/bin/sh\\necho built\\n' > "$GOBIN/temporal"\n`);
chmodSync(join(GO_BIN, 'go'), 0o755);
function goCalls(): string[] {
  return existsSync(GO_CALLS) ? readFileSync(GO_CALLS, 'utf8').trim().split('\n') : [];
}

/** A loopback release mirror laid out as GitHub's release downloads: `<base>/v1.5.1/<asset>`. */
const files = new Map<string, Buffer>();
/** Paths the mirror answers with a 302 to another base: prefix → new prefix. */
const redirects = new Map<string, string>();
const requests: string[] = [];
let server: Server;
let mirror = '';
/** A loopback port where nothing listens. */
let closedPort = 0;

const OS = { linux: 'linux', darwin: 'darwin' }[process.platform as string];
const ARCH = { x64: 'amd64', arm64: 'arm64' }[process.arch as string];
const ASSET = `temporal_cli_1.5.1_${OS}_${ARCH}.tar.gz`;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** A release archive as the Temporal CLI's are made: `temporal` and LICENSE at the top, gzip'd tar. */
function releaseArchive(said: string): Buffer {
  const folder = mkdtempSync(join(dir, 'archive-'));
  executable(join(folder, 'temporal'), said);
  writeFileSync(join(folder, 'LICENSE'), 'MIT\n');
  const made = spawnSync('tar', ['-czf', join(folder, 'out.tar.gz'), '-C', folder, 'temporal', 'LICENSE']);
  if (made.status !== 0) throw new Error(`tar: ${made.stderr}`);
  return readFileSync(join(folder, 'out.tar.gz'));
}

/** checksums.txt as GoReleaser writes it: `<sha256>  <file>`, sorted; this platform's asset only if listed. */
function checksums(listed: Record<string, Buffer>): Buffer {
  const others = ['darwin_amd64', 'darwin_arm64', 'linux_amd64', 'linux_arm64', 'windows_amd64', 'windows_arm64']
    .map((p) => `temporal_cli_1.5.1_${p}.tar.gz`)
    .filter((name) => name !== ASSET);
  const lines = others.map((name) => `${sha256(Buffer.from(name))}  ${name}`);
  for (const [name, bytes] of Object.entries(listed)) lines.push(`${sha256(bytes)}  ${name}`);
  return Buffer.from(`${lines.sort((a, b) => a.slice(66).localeCompare(b.slice(66))).join('\n')}\n`);
}

/** Serves `archive` under `/<name>/v1.5.1/`, listed in its checksums.txt with `listedAs`'s SHA-256. */
function release(name: string, archive: Buffer, listedAs = archive): string {
  files.set(`/${name}/v1.5.1/${ASSET}`, archive);
  files.set(`/${name}/v1.5.1/checksums.txt`, checksums({ [ASSET]: listedAs }));
  return `${mirror}/${name}`;
}

beforeAll(async () => {
  server = createServer((request, response) => {
    requests.push(request.url ?? '');
    const moved = [...redirects].find(([from]) => request.url?.startsWith(from));
    if (moved) return void response.writeHead(302, { Location: `${moved[1]}${request.url!.slice(moved[0].length)}` }).end();
    const body = files.get(request.url ?? '');
    response.writeHead(body ? 200 : 404).end(body ?? 'Not Found');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise((done) => probe.close(done));
});
afterAll(async () => {
  await new Promise((done) => server?.close(done));
  rmSync(dir, { recursive: true, force: true });
});

let runs = 0;
/** Runs the script with only the given environment (a fresh temp folder and a mirror without files unless given). */
async function run(env: Record<string, string>) {
  const full = { PATH: TOOLS, HOME: join(dir, 'home'), TMPDIR: join(dir, `tmp-${++runs}`), TEMPORAL_CLI_DOWNLOAD_URL: `${mirror}/empty`, ...env };
  // Every run downloads from this machine only: never from the default, GitHub.
  expect(full.TEMPORAL_CLI_DOWNLOAD_URL).toMatch(/^(http|ftp):\/\/([^@/]*@)?127\.0\.0\.1:/);
  mkdirSync(full.TMPDIR, { recursive: true });
  const started = Date.now();
  const child = spawn('/bin/bash', [SCRIPT], { env: full });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  child.stderr.on('data', (chunk) => (err += chunk));
  const code = await new Promise<number | null>((done) => child.on('close', done));
  expect(err).not.toContain('github.com');
  return { code, out: out.trim(), err: err.trim(), ms: Date.now() - started };
}

/** What is in a cache's temporal-cli folder: the published files only, no work folders. */
function cacheContents(cacheRoot: string): string[] {
  const root = join(cacheRoot, 'temporal-cli');
  if (!existsSync(root)) return [];
  return readdirSync(root).flatMap((entry) => (statSync(join(root, entry)).isDirectory() ? readdirSync(join(root, entry)).map((f) => `${entry}/${f}`) : [entry]));
}

const WAYS_OUT =
  'set TEMPORAL_CLI_PATH to a Temporal CLI, put `temporal` on PATH, allow the download (TEMPORAL_CLI_DOWNLOAD=1, with TEMPORAL_CLI_DOWNLOAD_URL=<mirror> where GitHub is out of reach) or install Go >= 1.25';

describe('scripts/temporal-cli.sh', () => {
  const cacheRoot = join(dir, 'cache');
  const cached = executable(join(cacheRoot, 'temporal-cli', 'v1.5.1', 'temporal'));
  const onPath = executable(join(dir, 'bin', 'temporal'));
  const given = executable(join(dir, 'given', 'temporal'));
  let fresh = 0;
  const freshCache = () => join(dir, `cache-${++fresh}`);

  it('takes TEMPORAL_CLI_PATH first, then `temporal` on PATH, then the cache', async () => {
    const path = `${join(dir, 'bin')}:${TOOLS}`;
    expect((await run({ TEMPORAL_CLI_PATH: given, PATH: path, INVITE_LITE_CACHE: cacheRoot })).out).toBe(given);
    expect((await run({ PATH: path, INVITE_LITE_CACHE: cacheRoot })).out).toBe(onPath);
    expect((await run({ PATH: path, TEMPORAL_CLI_IGNORE_PATH: '1', INVITE_LITE_CACHE: cacheRoot })).out).toBe(cached);
    expect((await run({ INVITE_LITE_CACHE: cacheRoot })).out).toBe(cached);
  });

  it('keys the cache by version', async () => {
    const other = executable(join(cacheRoot, 'temporal-cli', 'v9.9.9', 'temporal'));
    expect((await run({ INVITE_LITE_CACHE: cacheRoot, TEMPORAL_CLI_VERSION: 'v9.9.9' })).out).toBe(other);
  });

  it('is quick and changes nothing once cached', async () => {
    const before = readdirSync(join(cacheRoot, 'temporal-cli', 'v1.5.1'));
    const asked = requests.length;
    const results = [await run({ INVITE_LITE_CACHE: cacheRoot }), await run({ INVITE_LITE_CACHE: cacheRoot })];
    for (const r of results) {
      expect(r).toMatchObject({ code: 0, out: cached, err: '' });
      expect(r.ms).toBeLessThan(2_000);
    }
    expect(readdirSync(join(cacheRoot, 'temporal-cli', 'v1.5.1'))).toEqual(before);
    expect(requests.length).toBe(asked);
  });

  it('then takes the Temporal SDK download of the pinned version, then the release archive, then a Go build', async () => {
    const url = release('order', releaseArchive(VERSION_LINE));
    const tmp = join(dir, 'order-tmp');
    const sdk = executable(join(tmp, 'temporal-sdk-typescript-1.24.0'), `${VERSION_LINE} sdk`);
    const path = `${GO_BIN}:${TOOLS}`;
    const asked = requests.length;

    const fromSdk = await run({ PATH: path, TMPDIR: tmp, INVITE_LITE_CACHE: freshCache(), TEMPORAL_CLI_DOWNLOAD_URL: url });
    expect(fromSdk.code).toBe(0);
    expect(readFileSync(fromSdk.out, 'utf8')).toBe(readFileSync(sdk, 'utf8'));
    expect(requests.length).toBe(asked);

    rmSync(sdk);
    const downloaded = await run({ PATH: path, TMPDIR: tmp, INVITE_LITE_CACHE: freshCache(), TEMPORAL_CLI_DOWNLOAD_URL: url });
    expect(downloaded.code).toBe(0);
    expect(spawnSync(downloaded.out, ['--version'], { encoding: 'utf8' }).stdout.trim()).toBe(VERSION_LINE);
    expect(goCalls()).toEqual([]);

    const built = await run({ PATH: path, TMPDIR: tmp, INVITE_LITE_CACHE: freshCache(), TEMPORAL_CLI_DOWNLOAD_URL: `${mirror}/nothing-here` });
    expect(built.code).toBe(0);
    expect(spawnSync(built.out, { encoding: 'utf8' }).stdout.trim()).toBe('built');
    expect(goCalls()).toEqual(['install github.com/temporalio/cli/cmd/temporal@v1.5.1']);
    rmSync(GO_CALLS);
  });

  it('copies an SDK download only if it is the pinned version, this user’s and not writable by others', async () => {
    const tmp = join(dir, 'sdk-tmp');
    const others = [
      executable(join(tmp, 'temporal-sdk-typescript-1.23.0'), 'temporal version 1.4.0 (Server 1.28.0, UI 2.40.0)'),
      executable(join(tmp, 'temporal-v1.5.1'), VERSION_LINE, 0o777),
      executable(join(tmp, 'temporal-sdk-typescript-1.24.0.downloading'), VERSION_LINE),
    ];
    const cache = freshCache();
    const none = await run({ TMPDIR: tmp, INVITE_LITE_CACHE: cache, TEMPORAL_CLI_DOWNLOAD: '0' });
    expect(none.code).toBe(1);
    expect(none.err).toBe(`temporal-cli: no Temporal CLI v1.5.1 found or downloaded, and no Go toolchain to build one: ${WAYS_OUT}`);

    const pinned = executable(join(tmp, 'temporal-1.5.1'), VERSION_LINE);
    const taken = await run({ TMPDIR: tmp, INVITE_LITE_CACHE: cache, TEMPORAL_CLI_DOWNLOAD: '0' });
    expect(taken).toMatchObject({
      code: 0,
      out: join(cache, 'temporal-cli', 'v1.5.1', 'temporal'),
      err: `temporal-cli: copied the Temporal SDK's download ${pinned} (v1.5.1)`,
    });
    expect(cacheContents(cache)).toEqual(['v1.5.1/temporal']);
    expect(statSync(taken.out).mode & 0o777).toBe(0o755);
    for (const file of [...others, pinned]) expect(existsSync(file)).toBe(true);
  });

  it('downloads the release archive from the mirror, checks it against checksums.txt and caches the CLI', async () => {
    const url = release('good', releaseArchive(VERSION_LINE));
    const cache = freshCache();
    const asked = requests.length;
    const first = await run({ INVITE_LITE_CACHE: cache, TEMPORAL_CLI_DOWNLOAD_URL: url });
    expect(first).toMatchObject({ code: 0, out: join(cache, 'temporal-cli', 'v1.5.1', 'temporal') });
    expect(first.err.split('\n')).toEqual([
      `temporal-cli: downloading the Temporal CLI v1.5.1 for ${OS}/${ARCH} (once)`,
      `temporal-cli: downloaded ${url}/v1.5.1/${ASSET} (SHA-256 checked)`,
    ]);
    expect(requests.slice(asked)).toEqual(['/good/v1.5.1/checksums.txt', `/good/v1.5.1/${ASSET}`]);
    expect(spawnSync(first.out, ['--version'], { encoding: 'utf8' }).stdout.trim()).toBe(VERSION_LINE);
    expect(cacheContents(cache)).toEqual(['v1.5.1/temporal']);

    const again = await run({ INVITE_LITE_CACHE: cache, TEMPORAL_CLI_DOWNLOAD_URL: url });
    expect(again).toMatchObject({ code: 0, out: first.out, err: '' });
    expect(requests.length).toBe(asked + 2);
  });

  it('falls through to the Go build, or names every way out, when the download fails, leaving nothing of it in the cache', async () => {
    const good = releaseArchive(VERSION_LINE);
    const failures: [string, string][] = [
      [`${mirror}/missing`, `HTTP 404 from ${mirror}/missing/v1.5.1/checksums.txt`],
      [
        `http://127.0.0.1:${closedPort}/unreachable`,
        `could not fetch http://127.0.0.1:${closedPort}/unreachable/v1.5.1/checksums.txt: connect ECONNREFUSED 127.0.0.1:${closedPort}`,
      ],
      [
        release('tampered', good, releaseArchive('temporal version 1.5.1 (tampered)')),
        `${mirror}/tampered/v1.5.1/${ASSET} has SHA-256 ${sha256(good)}, but checksums.txt says`,
      ],
      [release('not-an-archive', Buffer.from('<html>Not a tarball</html>')), `${mirror}/not-an-archive/v1.5.1/${ASSET} is not a tar.gz archive holding \`temporal\``],
      [
        release('other-version', releaseArchive('temporal version 1.4.0 (Server 1.28.0, UI 2.40.0)')),
        `the \`temporal\` in ${mirror}/other-version/v1.5.1/${ASSET} does not say it is version 1.5.1`,
      ],
    ];
    files.set(`/unlisted/v1.5.1/${ASSET}`, good);
    files.set('/unlisted/v1.5.1/checksums.txt', checksums({ 'temporal_cli_1.5.1_plan9_amd64.tar.gz': good }));
    failures.push([`${mirror}/unlisted`, `${mirror}/unlisted/v1.5.1/checksums.txt lists no ${ASSET}`]);

    for (const [url, reason] of failures) {
      const cache = freshCache();
      const withoutGo = await run({ INVITE_LITE_CACHE: cache, TEMPORAL_CLI_DOWNLOAD_URL: url });
      expect(withoutGo.code).toBe(1);
      expect(withoutGo.err.split('\n').slice(1), url).toEqual([
        expect.stringContaining(`temporal-cli: download failed: ${reason}`),
        `temporal-cli: no Temporal CLI v1.5.1 found or downloaded, and no Go toolchain to build one: ${WAYS_OUT}`,
      ]);
      expect(cacheContents(cache)).toEqual([]);

      const result = await run({ PATH: `${GO_BIN}:${TOOLS}`, INVITE_LITE_CACHE: cache, TEMPORAL_CLI_DOWNLOAD_URL: url });
      const lines = result.err.split('\n');
      expect(lines[1], url).toContain(`temporal-cli: download failed: ${reason}`);
      expect(lines[2]).toMatch(/^temporal-cli: building the Temporal CLI v1.5.1 from the Go module proxy/);
      expect(result.code).toBe(0);
      expect(spawnSync(result.out, { encoding: 'utf8' }).stdout.trim()).toBe('built');
      expect(cacheContents(cache)).toEqual(['v1.5.1/temporal']);
      expect(goCalls()).toHaveLength(1);
      rmSync(GO_CALLS);
    }
  });

  it('checks every redirect, not only where it ends, and a pinned TEMPORAL_CLI_SHA256', async () => {
    const archive = releaseArchive(VERSION_LINE);
    release('pinned', archive);
    redirects.set('/moved/', '/pinned/');
    redirects.set('/hop/', `ftp://127.0.0.1:21/pinned/`);
    const moved = await run({ INVITE_LITE_CACHE: freshCache(), TEMPORAL_CLI_DOWNLOAD_URL: `${mirror}/moved`, TEMPORAL_CLI_SHA256: sha256(archive).toUpperCase() });
    expect(moved.code).toBe(0);
    expect(moved.err.split('\n').at(-1)).toBe(`temporal-cli: downloaded ${mirror}/moved/v1.5.1/${ASSET} (SHA-256 checked)`);

    const refused = await run({ INVITE_LITE_CACHE: freshCache(), TEMPORAL_CLI_DOWNLOAD_URL: `${mirror}/hop` });
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(`temporal-cli: download failed: ${mirror}/hop/v1.5.1/checksums.txt redirected to a URL that is not allowed`);

    const other = sha256(Buffer.from('another archive'));
    const mismatch = await run({ INVITE_LITE_CACHE: freshCache(), TEMPORAL_CLI_DOWNLOAD_URL: `${mirror}/pinned`, TEMPORAL_CLI_SHA256: other });
    expect(mismatch.code).toBe(1);
    expect(mismatch.err).toContain(
      `temporal-cli: download failed: ${mirror}/pinned/v1.5.1/${ASSET} has SHA-256 ${sha256(archive)}, but TEMPORAL_CLI_SHA256 says ${other}`,
    );

    const malformed = await run({ INVITE_LITE_CACHE: freshCache(), TEMPORAL_CLI_DOWNLOAD_URL: `${mirror}/pinned`, TEMPORAL_CLI_SHA256: 'abc' });
    expect(malformed).toMatchObject({ code: 1, out: '', err: 'temporal-cli: TEMPORAL_CLI_SHA256 must be 64 hexadecimal digits (the SHA-256 of the release archive)' });
  });

  it('skips the download when TEMPORAL_CLI_DOWNLOAD=0', async () => {
    const url = release('skipped', releaseArchive(VERSION_LINE));
    const asked = requests.length;
    const result = await run({ PATH: `${GO_BIN}:${TOOLS}`, INVITE_LITE_CACHE: freshCache(), TEMPORAL_CLI_DOWNLOAD: '0', TEMPORAL_CLI_DOWNLOAD_URL: url });
    expect(result.code).toBe(0);
    expect(requests.length).toBe(asked);
    expect(goCalls()).toHaveLength(1);
    rmSync(GO_CALLS);
  });

  it('stops with one line naming what to do when a setting is wrong or nothing is found', async () => {
    const bad = await run({ TEMPORAL_CLI_PATH: join(dir, 'nowhere', 'temporal'), INVITE_LITE_CACHE: cacheRoot });
    expect(bad.code).toBe(1);
    expect(bad.out).toBe('');
    expect(bad.err).toBe(`temporal-cli: TEMPORAL_CLI_PATH=${join(dir, 'nowhere', 'temporal')} is not an executable file`);

    const notAFlag = await run({ TEMPORAL_CLI_DOWNLOAD: 'yes', INVITE_LITE_CACHE: cacheRoot });
    expect(notAFlag).toMatchObject({ code: 1, out: '', err: 'temporal-cli: TEMPORAL_CLI_DOWNLOAD must be 0 or 1' });

    const asked = requests.length;
    const badUrls: [string, string][] = [
      ['ftp://127.0.0.1:21/mirror', 'must be https:// (http:// only to this machine)'],
      [`http://mirror-user:mirror-password@${mirror.slice('http://'.length)}/good`, 'must not contain credentials'],
      [`${mirror}/good?token=mirror-token`, 'must not have a query or fragment'],
    ];
    for (const [url, why] of badUrls) {
      const result = await run({ PATH: `${GO_BIN}:${TOOLS}`, INVITE_LITE_CACHE: freshCache(), TEMPORAL_CLI_DOWNLOAD_URL: url });
      expect(result.code).toBe(1);
      expect(result.err.split('\n').at(-1)).toBe(`temporal-cli: TEMPORAL_CLI_DOWNLOAD_URL ${why}`);
      expect(result.err).not.toMatch(/mirror-password|mirror-token/);
    }
    expect(requests.length).toBe(asked);
    expect(goCalls()).toEqual([]);

    const none = await run({ INVITE_LITE_CACHE: freshCache() });
    expect(none.code).toBe(1);
    expect(none.err.split('\n')).toEqual([
      expect.stringMatching(/^temporal-cli: downloading the Temporal CLI v1.5.1 for /),
      `temporal-cli: download failed: HTTP 404 from ${mirror}/empty/v1.5.1/checksums.txt`,
      `temporal-cli: no Temporal CLI v1.5.1 found or downloaded, and no Go toolchain to build one: ${WAYS_OUT}`,
    ]);
  });
});
