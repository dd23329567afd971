/**
 * The embedded Temporal dev server that `npm start` runs when TEMPORAL_ADDRESS is unset: its
 * database lives in DATA_DIR (so open onboardings survive a restart), and its address is written
 * to DATA_DIR/temporal.address for the operator CLI.
 *
 * The server ends with this process even when it is killed (see DevServerOptions.endWithParent).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDevServer } from './dev-server';

export function addressFile(dataDir: string): string {
  return join(dataDir, 'temporal.address');
}

/** The address of the running service's embedded server, or null when the file is absent. */
export function readEmbeddedAddress(dataDir: string): string | null {
  try {
    return readFileSync(addressFile(dataDir), 'utf8').trim() || null;
  } catch {
    return null;
  }
}

export interface EmbeddedServerOptions {
  dataDir: string;
  namespace: string;
  uiPort: number | null;
  onLog?: (line: string) => void;
}

export interface EmbeddedServer {
  address: string;
  /** Process ID of the Temporal server. */
  pid: number | undefined;
  stop(): Promise<void>;
}

export async function startEmbeddedServer(options: EmbeddedServerOptions): Promise<EmbeddedServer> {
  mkdirSync(options.dataDir, { recursive: true });
  const server = await startDevServer({
    dbFile: join(options.dataDir, 'temporal.db'),
    namespace: options.namespace,
    uiPort: options.uiPort ?? undefined,
    onLog: options.onLog,
    endWithParent: true,
  });
  writeFileSync(addressFile(options.dataDir), `${server.address}\n`);
  return {
    address: server.address,
    pid: server.process.pid,
    async stop() {
      rmSync(addressFile(options.dataDir), { force: true });
      await server.stop();
    },
  };
}
