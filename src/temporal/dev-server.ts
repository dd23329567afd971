/** The embedded Temporal dev server: the Temporal CLI's `server start-dev`, as a child process. */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../../workflows/messages';

/** The project's directory: two up from src/temporal/, one up from the compiled dist/ (scripts/build.ts). */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), import.meta.url.endsWith('.ts') ? '../..' : '..');

/** The path of the Temporal CLI, provided by scripts/temporal-cli.sh (builds it once if needed). */
export async function temporalCliPath(): Promise<string> {
  const { stdout } = await promisify(execFile)('bash', [resolve(ROOT, 'scripts/temporal-cli.sh')], {
    maxBuffer: 1 << 20,
  });
  return stdout.trim();
}

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? ok(address.port) : fail(new Error('no port'))));
    });
  });
}

export interface DevServerOptions {
  /** SQLite file that keeps the server's state across restarts; in memory when unset. */
  dbFile?: string;
  namespace: string;
  port?: number;
  /** Web UI port; headless when unset. */
  uiPort?: number;
  /** Where the server's own log goes (default: discarded). */
  onLog?: (line: string) => void;
  /**
   * End the server when this process dies without stopping it (killed, crashed), through
   * scripts/temporal-dev-server-guard.sh, so that no server is left holding the database and port.
   */
  endWithParent?: boolean;
}

export interface DevServer {
  address: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

const TYPE_NAMES: Record<string, string> = { KEYWORD: 'Keyword', DATETIME: 'Datetime' };

/** A dev server that exited before it answered: with a port of its own choosing, another start may bind. */
class ExitedBeforeReadyError extends Error {}

/**
 * Starts the dev server and waits until it answers. Without a given port it takes a free one; if
 * another process bound that port first (the server then exits at once), it starts again on
 * another, three times at most.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options, options.port ?? (await freePort()));
    } catch (error) {
      if (!(error instanceof ExitedBeforeReadyError) || options.port !== undefined || attempt >= 3) throw error;
    }
  }
}

async function startOnce(options: DevServerOptions, port: number): Promise<DevServer> {
  const cli = await temporalCliPath();
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--namespace', options.namespace];
  if (options.dbFile) {
    mkdirSync(dirname(options.dbFile), { recursive: true });
    args.push('--db-filename', options.dbFile);
  }
  args.push(...(options.uiPort ? ['--ui-port', String(options.uiPort)] : ['--headless']));
  for (const key of SEARCH_ATTRIBUTES) args.push('--search-attribute', `${key.name}=${TYPE_NAMES[key.type]}`);
  args.push('--log-level', 'warn');

  const child = options.endWithParent
    ? spawn(resolve(ROOT, 'scripts/temporal-dev-server-guard.sh'), args, {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, INVITE_LITE_TEMPORAL_CLI: cli },
      })
    : spawn(cli, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const onLog = options.onLog ?? (() => {});
  let exited: string | null = null;
  child.stdout.on('data', (d: Buffer) => onLog(d.toString()));
  child.stderr.on('data', (d: Buffer) => onLog(d.toString()));
  child.once('exit', (code, signal) => (exited = `exited with ${signal ?? code}`));

  const address = `127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((ok) => child.once('exit', () => ok()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
  };

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new ExitedBeforeReadyError(`the Temporal dev server (${cli}) ${exited} before it answered`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      await connection.workflowService.getSystemInfo({});
      await connection.close();
      return { address, process: child, stop };
    } catch (error) {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`the Temporal dev server did not answer on ${address} within 60 s: ${String(error)}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
