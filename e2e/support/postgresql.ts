/**
 * A throwaway PostgreSQL cluster on loopback, from scripts/postgresql.sh (which also makes sure the
 * server programs are on the machine): started in a new temporary directory, removed by stop().
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../../test/support/service-process';

const SCRIPT = resolve(ROOT, 'scripts/postgresql.sh');

export interface PostgresCluster {
  host: string;
  port: number;
  /** A superuser, with the password made for this cluster (scram-sha-256). */
  user: string;
  password: string;
  /** The cluster's directory (data, log, socket). */
  dir: string;
  stop(): Promise<void>;
}

/** Parses the `KEY=value` lines `scripts/postgresql.sh start` prints. */
export function parseClusterInfo(output: string): Omit<PostgresCluster, 'stop'> {
  const values = Object.fromEntries(
    output
      .split('\n')
      .map((line) => line.trim().split(/=(.*)/s, 2))
      .filter((pair) => pair.length === 2),
  );
  const port = Number(values.PGPORT);
  if (!values.CLUSTER_DIR || !values.PGHOST || !values.PGUSER || !values.PGPASSWORD || !Number.isInteger(port)) {
    throw new Error(`scripts/postgresql.sh start printed no connection info: ${JSON.stringify(output)}`);
  }
  return { host: values.PGHOST, port, user: values.PGUSER, password: values.PGPASSWORD, dir: values.CLUSTER_DIR };
}

/** One value (the first column of the first row) of a query, read with the cluster's psql. */
export async function queryValue(pg: Omit<PostgresCluster, 'stop'>, database: string, sql: string): Promise<string> {
  const { stdout: bin } = await promisify(execFile)('bash', [SCRIPT], { timeout: 600_000 });
  const args = ['-h', pg.host, '-p', String(pg.port), '-U', pg.user, '-d', database, '-At', '-v', 'ON_ERROR_STOP=1', '-c', sql];
  const env = { ...process.env, PGPASSWORD: pg.password };
  const { stdout } = await promisify(execFile)(resolve(bin.trim(), 'psql'), args, { env, timeout: 30_000 });
  return stdout.split('\n')[0]!.trim();
}

export async function startPostgres(): Promise<PostgresCluster> {
  const { stdout } = await promisify(execFile)('bash', [SCRIPT, 'start'], { timeout: 120_000 });
  const info = parseClusterInfo(stdout);
  return {
    ...info,
    async stop() {
      await promisify(execFile)('bash', [SCRIPT, 'stop', info.dir], { timeout: 60_000 });
    },
  };
}
