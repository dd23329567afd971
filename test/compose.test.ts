/**
 * docker-compose.yml, checked without Docker by tools/compose-check (compose-go, the loader of
 * `docker compose config`: interpolation from .env, the Compose specification's JSON schema, the
 * deployment's own rules), on a copy of the project's deployment files with .env.example filled in.
 * Mutated copies prove the checker refuses what it must. The one-shot jobs' scripts in deploy/ run
 * here against stand-ins for the Temporal tools.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const COMPOSE = readFileSync('docker-compose.yml', 'utf8');
const ENV_EXAMPLE = readFileSync('.env.example', 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'invite-lite-compose-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SAMPLE = {
  PUBLIC_HOST: 'invite-lite.example.com',
  TEMPORAL_DB_PASSWORD: 'sample-db-password-0123456789abcdef',
  APPROVAL_SECRET: 'sample-approval-secret-0123456789abcdef',
};

/** .env.example with the sample's values filled in, as an MSP would. */
function sampleEnv(values: Record<string, string> = SAMPLE): string {
  return ENV_EXAMPLE.replace(/^([A-Z0-9_]+)=$/gm, (line, name: string) => (name in values ? `${name}=${values[name]}` : line));
}

let checker = '';
beforeAll(() => {
  const built = spawnSync('bash', ['scripts/compose-check.sh'], { encoding: 'utf8' });
  expect(built.stderr).not.toMatch(/failed/);
  checker = built.stdout.trim();
}, 300_000);

/** A project folder holding `compose` as docker-compose.yml, the real deploy/ and `env` as .env. */
function project(name: string, compose = COMPOSE, env = sampleEnv()): string {
  const folder = join(dir, name);
  mkdirSync(folder);
  cpSync('deploy', join(folder, 'deploy'), { recursive: true });
  writeFileSync(join(folder, 'docker-compose.yml'), compose);
  writeFileSync(join(folder, '.env'), env);
  return folder;
}

/** Runs the checker on a project folder with only PATH and HOME from this process. */
function check(folder: string) {
  const run = spawnSync(checker, [join(folder, 'docker-compose.yml')], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
    encoding: 'utf8',
  });
  return { code: run.status, out: run.stdout, err: run.stderr };
}

/** `compose` with `from` replaced by `to`; fails the test when `from` is not there. */
function mutate(from: string | RegExp, to: string): string {
  expect(COMPOSE).toMatch(from);
  return COMPOSE.replace(from, to);
}

interface Service {
  image?: string;
  build?: string;
  ports: string[];
  depends_on: Record<string, string>;
  volumes: string[];
  environment: string[];
  healthcheck?: string[];
}

describe('docker-compose.yml', () => {
  it('loads, with .env.example filled in, and keeps every rule', () => {
    const result = check(project('real'));
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    const services: Record<string, Service> = JSON.parse(result.out).services;
    expect(Object.keys(services).sort()).toEqual(['app', 'caddy', 'postgresql', 'temporal', 'temporal-namespace', 'temporal-schema', 'temporal-ui']);

    const published = Object.entries(services).filter(([, s]) => s.ports.length > 0);
    expect(published.map(([name]) => name)).toEqual(['caddy']);
    expect(services.caddy!.ports.sort()).toEqual([':443:443/tcp', ':443:443/udp', ':80:80/tcp', '127.0.0.1:8080:8080/tcp'].sort());

    expect(services.app!.depends_on).toMatchObject({
      'temporal-schema': 'service_completed_successfully',
      'temporal-namespace': 'service_completed_successfully',
      temporal: 'service_healthy',
    });
    expect(services.temporal!.depends_on).toMatchObject({ 'temporal-schema': 'service_completed_successfully' });
    expect(services.app!.build).toBe('.');
    expect(services.app!.volumes).toContain('bind:./deploy/policy.json:/etc/invite-lite/policy.json:ro');
    expect(services.app!.environment).toEqual(expect.arrayContaining(['POLICY_FILE', 'TRUST_PROXY', 'PUBLIC_BASE_URL', 'APPROVAL_SECRET']));
    expect(services.app!.healthcheck?.join(' ')).toContain('http://127.0.0.1:3000/readyz');
    expect(services.temporal!.healthcheck?.join(' ')).toContain('/api/v1/namespaces/default');

    for (const [name, service] of Object.entries(services)) {
      if (name === 'app') continue;
      expect(service.image, name).toMatch(/^[a-z0-9./-]+:\d+\.\d+(\.\d+)?(-[a-z0-9.]+)?$/);
    }
    // Environment values, secrets among them, are never printed.
    expect(result.out).not.toContain(SAMPLE.TEMPORAL_DB_PASSWORD);
    expect(result.out).not.toContain(SAMPLE.APPROVAL_SECRET);
  });

  it('names the Temporal server version that scripts/temporal-server.sh builds for the tests', () => {
    const services: Record<string, Service> = JSON.parse(check(project('version')).out).services;
    const read = spawnSync('bash', ['scripts/temporal-server.sh', '--version'], { encoding: 'utf8' });
    expect(read.status).toBe(0);
    const version = read.stdout.trim().replace(/^v/, '');
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(services.temporal!.image).toBe(`temporalio/server:${version}`);
    for (const job of ['temporal-schema', 'temporal-namespace']) expect(services[job]!.image).toBe(`temporalio/admin-tools:${version}`);
  });

  const refused: [string, string, RegExp][] = [
    ['an invalid key', mutate('    stop_grace_period: 60s\n', '    stop_grace_period: 60s\n    restart_policy: always\n'), /services\.app.*restart_policy/],
    ['an image without a tag', mutate('image: caddy:2.11.4-alpine', 'image: caddy'), /services\.caddy\.image: "caddy" has no tag/],
    ['a latest image', mutate('image: temporalio/ui:2.54.1', 'image: temporalio/ui:latest'), /services\.temporal-ui\.image: .*not latest/],
    [
      'a published app port',
      mutate('    stop_grace_period: 60s\n', '    stop_grace_period: 60s\n    ports: ["3000:3000"]\n'),
      /services\.app\.ports: app publishes 3000/,
    ],
    ['the UI published beyond loopback', mutate('"127.0.0.1:8080:8080"', '"8080:8080"'), /services\.caddy\.ports: 8080/],
    ['HTTPS published on another host port', mutate('"443:443"', '"8443:443"'), /services\.caddy\.ports: 8443:443 is published/],
    ['the host network for the UI', mutate('    networks: [backend, ui]\n', '    network_mode: host\n'), /services\.temporal-ui\.network_mode: host/],
    [
      'an app that does not wait for the namespace',
      mutate(
        '      temporal-namespace:\n        condition: service_completed_successfully\n    env_file',
        '      temporal-namespace:\n        condition: service_started\n    env_file',
      ),
      /services\.app\.depends_on: needs temporal-namespace with condition service_completed_successfully/,
    ],
    [
      'admin tools of another version',
      mutate('image: temporalio/admin-tools:1.32.2\n    depends_on:\n      postgresql', 'image: temporalio/admin-tools:1.31.0\n    depends_on:\n      postgresql'),
      /services\.temporal-schema\.image: .*the server's version/,
    ],
    ['no policy mount', mutate('      - ./deploy/policy.json:/etc/invite-lite/policy.json:ro\n', ''), /POLICY_FILE must name a file mounted read-only/],
    ['a writable policy mount', mutate('/etc/invite-lite/policy.json:ro', '/etc/invite-lite/policy.json:rw'), /POLICY_FILE must name a file mounted read-only/],
    ['TRUST_PROXY other than the proxy network', mutate(/TRUST_PROXY: \S+/, 'TRUST_PROXY: 10.0.0.0/8'), /TRUST_PROXY: must include 172\.31\.253\.0\/24/],
    ['a health check on /healthz', mutate("127.0.0.1:3000/readyz'", "127.0.0.1:3000/healthz'"), /services\.app\.healthcheck: must call \/readyz/],
    ['a missing mounted file', mutate('./deploy/Caddyfile:', './deploy/Caddyfile.missing:'), /services\.caddy\.volumes: .*Caddyfile\.missing does not exist/],
  ];
  it.each(refused)('refuses %s', (name, compose, message) => {
    const result = check(project(name.replace(/\W+/g, '-'), compose));
    expect(result.code).toBe(1);
    expect(result.out).toBe('');
    expect(result.err).toMatch(message);
  });

  it('refuses to start without PUBLIC_HOST or TEMPORAL_DB_PASSWORD, naming them', () => {
    const result = check(project('no-secrets', COMPOSE, sampleEnv({ APPROVAL_SECRET: SAMPLE.APPROVAL_SECRET })));
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/required variable PUBLIC_HOST is missing a value: set PUBLIC_HOST in \.env/);
    expect(result.err).toMatch(/required variable TEMPORAL_DB_PASSWORD is missing a value/);
  });
});

describe('scripts/compose-check.sh', () => {
  it('keys its cache by the compose-go version of go.mod, and is quick once built', () => {
    const version = /^require github\.com\/compose-spec\/compose-go\/v2 (v\S+)$/m.exec(readFileSync('tools/compose-check/go.mod', 'utf8'))?.[1];
    expect(version).toBe('v2.16.2');
    expect(checker).toMatch(new RegExp(`/compose-check/${version}-[0-9a-f]{12}/compose-check$`));
    const started = Date.now();
    const again = spawnSync('bash', ['scripts/compose-check.sh'], { encoding: 'utf8' });
    expect({ code: again.status, out: again.stdout.trim(), err: again.stderr }).toEqual({ code: 0, out: checker, err: '' });
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('.env.example', () => {
  const listed = new Set([...ENV_EXAMPLE.matchAll(/^([A-Z0-9_]+)=/gm)].map((m) => m[1]!));

  it('lists every variable docker-compose.yml reads', () => {
    const read = new Set([...COMPOSE.matchAll(/\$\{([A-Z0-9_]+)/g)].map((m) => m[1]!));
    expect(read.size).toBeGreaterThan(4);
    expect([...read].filter((name) => !listed.has(name))).toEqual([]);
  });

  it('holds no secret values', () => {
    const secrets = [...ENV_EXAMPLE.matchAll(/^([A-Z0-9_]*(?:SECRET|TOKEN|KEY|PASSWORD|SMTP_URL)[A-Z0-9_]*)=(.*)$/gm)];
    expect(secrets.map((m) => m[1])).toEqual(expect.arrayContaining(['APPROVAL_SECRET', 'TEMPORAL_DB_PASSWORD', 'SLACK_BOT_TOKEN']));
    expect(secrets.filter((m) => m[2] !== '').map((m) => m[1])).toEqual([]);
  });
});

describe('deploy/ one-shot jobs', () => {
  const bin = join(dir, 'bin');
  const calls = join(dir, 'calls.log');
  mkdirSync(bin, { recursive: true });

  /** A stand-in for a tool: logs its arguments, then runs `body` (POSIX sh). */
  function tool(name: string, body: string) {
    writeFileSync(join(bin, name), `#!/bin/sh\necho "${name} $*" >> '${calls}'\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  }

  function run(script: string, env: Record<string, string>) {
    writeFileSync(calls, '');
    const result = spawnSync('sh', [resolve('deploy', script)], {
      env: { PATH: `${bin}:/usr/bin:/bin`, TEMPORAL_WAIT_SECONDS: '0', ...env },
      encoding: 'utf8',
    });
    return { code: result.status, out: result.stdout, err: result.stderr, calls: readFileSync(calls, 'utf8').trim().split('\n') };
  }

  it('temporal-schema.sh creates and migrates both databases, in order', () => {
    const schema = join(dir, 'schema');
    for (const d of ['temporal', 'visibility']) mkdirSync(join(schema, 'postgresql', 'v12', d, 'versioned'), { recursive: true });
    tool('temporal-sql-tool', 'exit 0');
    const result = run('temporal-schema.sh', { TEMPORAL_SCHEMA_DIR: schema });
    expect(result.code).toBe(0);
    expect(result.calls).toEqual([
      'temporal-sql-tool --db temporal create-database',
      'temporal-sql-tool --db temporal setup-schema -v 0.0',
      `temporal-sql-tool --db temporal update-schema -d ${schema}/postgresql/v12/temporal/versioned`,
      'temporal-sql-tool --db temporal_visibility create-database',
      'temporal-sql-tool --db temporal_visibility setup-schema -v 0.0',
      `temporal-sql-tool --db temporal_visibility update-schema -d ${schema}/postgresql/v12/visibility/versioned`,
    ]);
  });

  it('temporal-schema.sh stops at the first failure', () => {
    const schema = join(dir, 'schema');
    tool('temporal-sql-tool', 'case "$*" in *setup-schema*) exit 1;; esac');
    const result = run('temporal-schema.sh', { TEMPORAL_SCHEMA_DIR: schema });
    expect(result.code).toBe(1);
    expect(result.calls).toEqual(['temporal-sql-tool --db temporal create-database', 'temporal-sql-tool --db temporal setup-schema -v 0.0']);
  });

  /** A `temporal` whose cluster health fails `unhealthy` times, then answers; `create` runs `create`. */
  function temporal(unhealthy: number, create: string) {
    const count = join(dir, 'health-count');
    writeFileSync(count, '0');
    tool(
      'temporal',
      `case "$*" in
  *"cluster health"*) n=$(cat '${count}'); echo $((n + 1)) > '${count}'; [ "$n" -ge ${unhealthy} ] || exit 1; echo SERVING;;
  *"namespace create"*) ${create};;
esac`,
    );
  }
  const env = { TEMPORAL_ADDRESS: 'temporal:7233', TEMPORAL_NAMESPACE: 'msp', TEMPORAL_WAIT_ATTEMPTS: '5' };

  it('temporal-namespace.sh waits for the server, then creates the namespace', () => {
    temporal(2, 'exit 0');
    const result = run('temporal-namespace.sh', env);
    expect(result.code).toBe(0);
    expect(result.calls).toEqual([
      ...Array(3).fill('temporal operator cluster health --address temporal:7233'),
      'temporal operator namespace create --address temporal:7233 --namespace msp --retention 720h',
    ]);
    expect(result.out).toContain('created msp');
  });

  it('temporal-namespace.sh takes a namespace that already exists as success', () => {
    temporal(0, 'echo "Error: failed to create namespace: Namespace already exists." >&2; exit 1');
    const result = run('temporal-namespace.sh', env);
    expect(result.code).toBe(0);
    expect(result.out).toContain('msp already exists');
  });

  it('temporal-namespace.sh fails on any other error, and when the server never answers', () => {
    temporal(0, 'echo "Error: permission denied" >&2; exit 1');
    const denied = run('temporal-namespace.sh', env);
    expect(denied.code).toBe(1);
    expect(denied.err).toContain('could not create msp: Error: permission denied');

    temporal(99, 'exit 0');
    const down = run('temporal-namespace.sh', env);
    expect(down.code).toBe(1);
    expect(down.err).toContain('not serving after 5 attempts');
    expect(down.calls.filter((call) => call.includes('namespace create'))).toEqual([]);
  });
});
