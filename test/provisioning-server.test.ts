/**
 * scripts/temporal-server.sh and scripts/postgresql.sh, which `npm test` and `npm run e2e` run first:
 * the Temporal server's version comes from the `temporalio/server:` image of docker-compose.yml (one
 * place for the deployment and the tests), the cache is keyed by it and a cached run only checks
 * files; the PostgreSQL cluster of the tests starts on loopback, as the `postgres` user when run as
 * root, and is removed by stop.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseClusterInfo } from '../e2e/support/postgresql';

const SERVER_SCRIPT = resolve('scripts/temporal-server.sh');
const POSTGRES_SCRIPT = resolve('scripts/postgresql.sh');
const dir = mkdtempSync(join(tmpdir(), 'invite-lite-provisioning-server-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A PATH with the few programs the script reads the compose file with, and no Go. */
const TOOLS = join(dir, 'tools');
mkdirSync(TOOLS);
for (const tool of ['grep', 'head', 'cut', 'dirname']) symlinkSync(spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim(), join(TOOLS, tool));

function compose(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function server(args: string[], env: Record<string, string>) {
  const started = Date.now();
  const result = spawnSync('/bin/bash', [SERVER_SCRIPT, ...args], { env: { PATH: TOOLS, HOME: join(dir, 'home'), ...env }, encoding: 'utf8' });
  return { code: result.status, out: result.stdout.trim(), err: result.stderr.trim(), ms: Date.now() - started };
}

/** A cache directory as a build leaves it (stand-in programs). */
function cachedBuild(root: string, version: string, parts = { sqlTool: true }): string {
  const at = join(root, 'temporal-server', version);
  for (const d of ['schema/postgresql/v12/temporal/versioned/v1.0', 'schema/postgresql/v12/visibility/versioned/v1.0']) mkdirSync(join(at, d), { recursive: true });
  for (const program of parts.sqlTool ? ['temporal-server', 'temporal-sql-tool'] : ['temporal-server']) {
    writeFileSync(join(at, program), '#!/bin/sh\n');
    chmodSync(join(at, program), 0o755);
  }
  return at;
}

describe('scripts/temporal-server.sh', () => {
  const production = compose(
    'production.yml',
    [
      'services:',
      '  temporal:',
      '    image: temporalio/server:1.32.2',
      '  temporal-admin-tools:',
      '    image: "temporalio/admin-tools:1.29.1"',
      '  temporal-ui:',
      '    image: temporalio/ui:2.42.1',
      '',
    ].join('\n'),
  );

  it('reads the version from the temporalio/server image of the compose file, and nothing else', () => {
    expect(server(['--version'], { TEMPORAL_SERVER_COMPOSE_FILE: production })).toMatchObject({ code: 0, out: 'v1.32.2', err: '' });
    const quoted = compose('quoted.yml', `services:\n  temporal:\n    image: "temporalio/server:1.40.0" # pinned\n`);
    expect(server(['--version'], { TEMPORAL_SERVER_COMPOSE_FILE: quoted }).out).toBe('v1.40.0');
  });

  it('reads the project’s docker-compose.yml by default, where the deployment names the server', () => {
    const tag = /image:\s*["']?temporalio\/server:v?(\d+\.\d+\.\d+)/.exec(readFileSync('docker-compose.yml', 'utf8'));
    expect(tag, 'docker-compose.yml runs temporalio/server:X.Y.Z').not.toBeNull();
    expect(server(['--version'], {}).out).toBe(`v${tag![1]}`);
  });

  it('stops with one line naming the compose file when it names no server image', () => {
    const none = compose('none.yml', 'services:\n  temporal:\n    image: temporalio/auto-setup:1.29.1\n  ui:\n    image: temporalio/ui:2.42.1\n');
    const result = server(['--version'], { TEMPORAL_SERVER_COMPOSE_FILE: none });
    expect(result.code).toBe(1);
    expect(result.out).toBe('');
    expect(result.err).toBe(`temporal-server: no 'image: temporalio/server:X.Y.Z' line in ${none} (found ''); it names the server version`);
    const latest = compose('latest.yml', 'services:\n  temporal:\n    image: temporalio/server:latest\n');
    expect(server([], { TEMPORAL_SERVER_COMPOSE_FILE: latest }).err).toContain("(found 'latest')");
  });

  it('prints the cached build of that version quickly, without Go, and changes nothing', () => {
    const root = join(dir, 'cache');
    const at = cachedBuild(root, 'v1.32.2');
    cachedBuild(root, 'v1.40.0');
    const before = readdirSync(at, { recursive: true });
    for (let i = 0; i < 2; i++) {
      const r = server([], { TEMPORAL_SERVER_COMPOSE_FILE: production, INVITE_LITE_CACHE: root });
      expect(r).toMatchObject({ code: 0, out: at, err: '' });
      expect(r.ms).toBeLessThan(2_000);
    }
    expect(readdirSync(at, { recursive: true })).toEqual(before);
    expect(readdirSync(join(root, 'temporal-server')).sort()).toEqual(['v1.32.2', 'v1.40.0']);
  });

  it('does not take an incomplete cache directory, and says what it needs to build', () => {
    const root = join(dir, 'incomplete');
    cachedBuild(root, 'v1.32.2', { sqlTool: false });
    const r = server([], { TEMPORAL_SERVER_COMPOSE_FILE: production, INVITE_LITE_CACHE: root });
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toBe('temporal-server: no Go toolchain to build the Temporal server v1.32.2: install Go >= 1.25');
  });
});

describe('scripts/postgresql.sh', () => {
  it('parses the connection lines of start', () => {
    expect(parseClusterInfo('CLUSTER_DIR=/tmp/invite-lite-postgresql.abc\nPGHOST=127.0.0.1\nPGPORT=25432\nPGUSER=temporal\nPGPASSWORD=ab12\n')).toEqual({
      dir: '/tmp/invite-lite-postgresql.abc',
      host: '127.0.0.1',
      port: 25432,
      user: 'temporal',
      password: 'ab12',
    });
    expect(() => parseClusterInfo('postgresql: initdb failed')).toThrow(/printed no connection info/);
  });

  it('starts a cluster on loopback in its own directory, and stop removes it', async () => {
    const started = spawnSync('bash', [POSTGRES_SCRIPT, 'start'], { encoding: 'utf8' });
    expect(started.status, started.stderr).toBe(0);
    const cluster = parseClusterInfo(started.stdout);
    try {
      expect(cluster.host).toBe('127.0.0.1');
      // PostgreSQL refuses to run as root: as root, the cluster belongs to the postgres user.
      if (process.getuid?.() === 0) expect(statSync(cluster.dir).uid).not.toBe(0);
      const listening = await new Promise<boolean>((ok) => {
        const socket = connect({ host: cluster.host, port: cluster.port });
        socket.once('connect', () => {
          socket.destroy();
          ok(true);
        });
        socket.once('error', () => ok(false));
      });
      expect(listening).toBe(true);
      const conf = spawnSync('bash', ['-c', `ps -o args= -C postgres | grep -F -- '${cluster.dir}/data'`], { encoding: 'utf8' }).stdout;
      expect(conf).toContain('listen_addresses=127.0.0.1');
      // Only with the cluster's password (no trust for other local users).
      const bin = spawnSync('bash', [POSTGRES_SCRIPT], { encoding: 'utf8' }).stdout.trim();
      const psql = (password: string) =>
        spawnSync(join(bin, 'psql'), ['-h', cluster.host, '-p', String(cluster.port), '-U', cluster.user, '-d', 'postgres', '-w', '-Atc', 'SELECT 1'], {
          encoding: 'utf8',
          env: { ...process.env, PGPASSWORD: password },
        });
      expect(psql(cluster.password).stdout.trim()).toBe('1');
      expect(psql('wrong').stderr).toMatch(/password authentication failed/);
    } finally {
      const stopped = spawnSync('bash', [POSTGRES_SCRIPT, 'stop', cluster.dir], { encoding: 'utf8' });
      expect(stopped.status, stopped.stderr).toBe(0);
    }
    expect(existsSync(cluster.dir)).toBe(false);
  });

  it('stops only clusters it started', () => {
    const other = mkdtempSync(join(dir, 'data-'));
    const refused = spawnSync('bash', [POSTGRES_SCRIPT, 'stop', other], { encoding: 'utf8' });
    expect(refused.status).toBe(2);
    expect(refused.stderr.trim()).toBe(`postgresql: not a cluster of this script: ${other}`);
    expect(existsSync(other)).toBe(true);
  });
});
