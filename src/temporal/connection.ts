/** Connection options for the Temporal client and the workers, from the configuration. */
import { readFileSync } from 'node:fs';
import { Connection, type TLSConfig } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { TemporalConfig } from '../config/temporal';

export interface TemporalConnectionOptions {
  address: string;
  tls?: TLSConfig | boolean;
  apiKey?: string;
}

/**
 * Options shared by the client's Connection and the workers' NativeConnection. An API key
 * (Temporal Cloud) implies TLS; a certificate pair is mTLS.
 */
export function connectionOptions(temporal: TemporalConfig, address: string): TemporalConnectionOptions {
  const options: TemporalConnectionOptions = { address };
  if (temporal.tls) {
    options.tls = {
      clientCertPair: { crt: readFileSync(temporal.tls.certFile), key: readFileSync(temporal.tls.keyFile) },
    };
  }
  if (temporal.apiKey) {
    options.apiKey = temporal.apiKey;
    options.tls ??= true;
  }
  return options;
}

export function connectClient(temporal: TemporalConfig, address: string, connectTimeoutMs = 10_000): Promise<Connection> {
  return Connection.connect({ ...connectionOptions(temporal, address), connectTimeout: connectTimeoutMs });
}

export function connectWorker(temporal: TemporalConfig, address: string): Promise<NativeConnection> {
  return NativeConnection.connect(connectionOptions(temporal, address));
}

/** Whether the server answers a cheap call within `timeoutMs`. */
export async function isReachable(connection: Connection, timeoutMs = 2_000): Promise<boolean> {
  try {
    await connection.withDeadline(Date.now() + timeoutMs, () => connection.workflowService.getSystemInfo({}));
    return true;
  } catch {
    return false;
  }
}
