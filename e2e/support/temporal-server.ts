/**
 * The production Temporal server on PostgreSQL, as docker-compose.yml deploys it: `temporal-server`
 * and `temporal-sql-tool` built by scripts/temporal-server.sh at the version the compose file names,
 * one process running all services (frontend, history, matching, worker) with the `postgres12`
 * persistence plugin for the default and the visibility store, on loopback ports chosen once, so
 * that the server can be stopped and started again on the same ports and databases.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { temporalCliPath } from '../../src/temporal/dev-server';
import { portOutsideEphemeralRange, ROOT } from '../../test/support/service-process';
import type { PostgresCluster } from './postgresql';

const run = promisify(execFile);

export const SERVICES = ['frontend', 'history', 'matching', 'worker'] as const;
export const DATABASES = { default: 'temporal', visibility: 'temporal_visibility' } as const;

export interface ServerBuild {
  /** The directory scripts/temporal-server.sh prints: the two programs and the schema. */
  dir: string;
  /** The version it read from docker-compose.yml, e.g. v1.32.2. */
  version: string;
}

/** Runs scripts/temporal-server.sh (a build the first time, a check of the cache after). */
export async function serverBuild(): Promise<ServerBuild> {
  const script = resolve(ROOT, 'scripts/temporal-server.sh');
  const [dir, version] = await Promise.all([run('bash', [script], { maxBuffer: 1 << 20, timeout: 1_800_000 }), run('bash', [script, '--version'], { timeout: 10_000 })]);
  return { dir: dir.stdout.trim(), version: version.stdout.trim() };
}

export interface ServerPorts {
  frontend: number;
  frontendHttp: number;
  /** gRPC and membership ports of each service. */
  grpc: Record<(typeof SERVICES)[number], number>;
  membership: Record<(typeof SERVICES)[number], number>;
}

/** Distinct free ports below the ephemeral range, so that a restart finds them free again. */
export async function choosePorts(): Promise<ServerPorts> {
  const taken = new Set<number>();
  const next = async () => {
    for (;;) {
      const port = await portOutsideEphemeralRange();
      if (taken.has(port)) continue;
      taken.add(port);
      return port;
    }
  };
  const grpc = {} as ServerPorts['grpc'];
  const membership = {} as ServerPorts['membership'];
  for (const service of SERVICES) {
    grpc[service] = await next();
    membership[service] = await next();
  }
  return { frontend: grpc.frontend, frontendHttp: await next(), grpc, membership };
}

/** The server's configuration (compare config/development-postgres12.yaml in the server module). */
export function serverConfig(pg: Pick<PostgresCluster, 'host' | 'port' | 'user' | 'password'>, ports: ServerPorts): string {
  const store = (database: string, maxConns: number) =>
    [
      '      sql:',
      '        pluginName: "postgres12"',
      `        databaseName: "${database}"`,
      `        connectAddr: "${pg.host}:${pg.port}"`,
      '        connectProtocol: "tcp"',
      `        user: "${pg.user}"`,
      `        password: "${pg.password}"`,
      `        maxConns: ${maxConns}`,
      `        maxIdleConns: ${maxConns}`,
      '        maxConnLifetime: "1h"',
    ].join('\n');
  const service = (name: (typeof SERVICES)[number]) =>
    [
      `  ${name}:`,
      '    rpc:',
      `      grpcPort: ${ports.grpc[name]}`,
      `      membershipPort: ${ports.membership[name]}`,
      '      bindOnLocalHost: true',
      ...(name === 'frontend' ? [`      httpPort: ${ports.frontendHttp}`] : []),
    ].join('\n');
  return `log:
  stdout: true
  level: warn
persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  numHistoryShards: 4
  datastores:
    postgres-default:
${store(DATABASES.default, 20)}
    postgres-visibility:
${store(DATABASES.visibility, 10)}
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "127.0.0.1"
services:
${SERVICES.map(service).join('\n')}
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: "active"
  currentClusterName: "active"
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: "frontend"
      rpcAddress: "127.0.0.1:${ports.frontend}"
dcRedirectionPolicy:
  policy: "noop"
`;
}

/**
 * Creates both databases and their schema with the compose file's own schema job
 * (deploy/temporal-schema.sh), run with the built temporal-sql-tool and the versioned schema the
 * build copied, so that the job the MSP runs is the one proven here.
 */
export async function setUpSchema(build: ServerBuild, pg: Pick<PostgresCluster, 'host' | 'port' | 'user' | 'password'>): Promise<void> {
  const env = {
    PATH: `${build.dir}:${process.env.PATH ?? ''}`,
    TEMPORAL_SCHEMA_DIR: join(build.dir, 'schema'),
    SQL_PLUGIN: 'postgres12',
    SQL_HOST: pg.host,
    SQL_PORT: String(pg.port),
    SQL_USER: pg.user,
    SQL_PASSWORD: pg.password,
  };
  try {
    await run('sh', [join(ROOT, 'deploy', 'temporal-schema.sh')], { env, timeout: 240_000 });
  } catch (error) {
    throw new Error(`deploy/temporal-schema.sh failed: ${(error as { stderr?: string }).stderr ?? String(error)}`);
  }
}

export interface RunningServer {
  process: ChildProcess;
  /** SIGTERM (a graceful stop) or SIGKILL; resolves once the process has exited. */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
}

/**
 * Starts `temporal-server --config-file <file> --allow-no-auth start` (through the guard the dev
 * server uses, which ends it if this process dies) and waits until its frontend answers.
 */
export async function launchServer(build: ServerBuild, configFile: string, ports: ServerPorts, logFile: string): Promise<RunningServer> {
  const child = spawn(resolve(ROOT, 'scripts/temporal-dev-server-guard.sh'), ['--config-file', configFile, '--allow-no-auth', 'start'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, INVITE_LITE_TEMPORAL_CLI: join(build.dir, 'temporal-server') },
  });
  const toLog = (d: Buffer) => appendFileSync(logFile, d);
  child.stdout.on('data', toLog);
  child.stderr.on('data', toLog);
  let exited: string | null = null;
  const gone = new Promise<void>((ok) =>
    child.once('exit', (code, signal) => {
      exited = `exited with ${signal ?? code}`;
      ok();
    }),
  );
  const stop = async (signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM') => {
    if (exited) return;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await gone;
    clearTimeout(timer);
  };
  const address = `127.0.0.1:${ports.frontend}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (exited) throw new Error(`temporal-server ${exited} before it answered; its log is ${logFile}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.getSystemInfo({});
      } finally {
        await connection.close();
      }
      return { process: child, stop };
    } catch (error) {
      if (Date.now() > deadline) {
        await stop('SIGKILL');
        throw new Error(`temporal-server did not answer on ${address} within 90 s (${String(error)}); its log is ${logFile}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** Creates the namespace with the project's Temporal CLI and waits until the server knows it. */
export async function createNamespace(address: string, namespace: string): Promise<void> {
  const cli = await temporalCliPath();
  await run(cli, ['operator', 'namespace', 'create', '--namespace', namespace, '--retention', '24h', '--address', address], { timeout: 60_000 });
  const connection = await Connection.connect({ address });
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        await connection.workflowService.describeNamespace({ namespace });
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`namespace ${namespace} not known 30 s after its creation: ${String(error)}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  } finally {
    await connection.close();
  }
}

export interface ProductionTemporal {
  address: string;
  build: ServerBuild;
  ports: ServerPorts;
  logFile: string;
  server(): RunningServer;
  /** Stops the server (SIGTERM, or SIGKILL as a crash would) and starts it again on the same ports and databases. */
  restart(signal: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  close(): Promise<void>;
}

/** The schema, the server and the namespace on the given cluster; `dir` keeps the config and the log. */
export async function startProductionTemporal(pg: PostgresCluster, dir: string, namespace = 'default'): Promise<ProductionTemporal> {
  const [build, ports] = await Promise.all([serverBuild(), choosePorts()]);
  await setUpSchema(build, pg);
  const configFile = join(dir, 'temporal-server.yaml');
  const logFile = join(dir, 'temporal-server.log');
  writeFileSync(configFile, serverConfig(pg, ports));
  let current = await launchServer(build, configFile, ports, logFile);
  const address = `127.0.0.1:${ports.frontend}`;
  await createNamespace(address, namespace);
  return {
    address,
    build,
    ports,
    logFile,
    server: () => current,
    async restart(signal) {
      await current.stop(signal);
      current = await launchServer(build, configFile, ports, logFile);
    },
    close: () => current.stop('SIGTERM'),
  };
}
