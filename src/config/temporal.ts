/** Temporal's variables (docs/design.md §12): the server (else the embedded dev server), its namespace and credentials. */
import type { z } from 'zod';
import { httpUrl, isReadableFile, port, text, type Fail } from './env';

export interface TemporalConfig {
  /** Unset: the service runs an embedded Temporal dev server. */
  address: string | null;
  namespace: string;
  taskQueue: string;
  apiKey: string | null;
  /** mTLS client certificate and key files. */
  tls: { certFile: string; keyFile: string } | null;
  /** Port of the embedded dev server's web UI; headless when unset. */
  uiPort: number | null;
  /** The Temporal UI that onboardings link to (TEMPORAL_UI_URL, else the embedded UI's); null: no links. */
  uiUrl: string | null;
}

export const temporalEnv = {
  TEMPORAL_ADDRESS: text.regex(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'expected host:port such as localhost:7233 or my-ns.a1b2c.tmprl.cloud:7233').optional(),
  TEMPORAL_NAMESPACE: text.regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected a Temporal namespace name such as default').default('default'),
  TEMPORAL_TASK_QUEUE: text.regex(/^\S+$/, 'expected a task queue name without spaces').default('invite-lite'),
  TEMPORAL_API_KEY: text.regex(/^\S+$/, 'expected a Temporal API key, without spaces').optional(),
  TEMPORAL_TLS_CERT: text.optional(),
  TEMPORAL_TLS_KEY: text.optional(),
  TEMPORAL_UI_PORT: port().optional(),
  TEMPORAL_UI_URL: httpUrl('https://temporal.example.com or https://cloud.temporal.io').optional(),
};

type TemporalEnv = z.output<z.ZodObject<typeof temporalEnv>>;

export function checkTemporalEnv(env: TemporalEnv, fail: Fail): void {
  if (!env.TEMPORAL_ADDRESS) {
    for (const variable of ['TEMPORAL_API_KEY', 'TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY'] as const) {
      if (env[variable]) fail('TEMPORAL_ADDRESS', `required when ${variable} is set: the host:port of the Temporal server`);
    }
  }
  if (Boolean(env.TEMPORAL_TLS_CERT) !== Boolean(env.TEMPORAL_TLS_KEY)) {
    const missing = env.TEMPORAL_TLS_CERT ? 'TEMPORAL_TLS_KEY' : 'TEMPORAL_TLS_CERT';
    fail(missing, 'TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together: set both (paths of the client certificate and key) or neither');
  }
  for (const variable of ['TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY'] as const) {
    const file = env[variable];
    if (file && !isReadableFile(file)) fail(variable, `expected the path of a readable file, got "${file}"`);
  }
}

export function temporalWarnings(env: TemporalEnv): string[] {
  if (env.TEMPORAL_ADDRESS && env.TEMPORAL_UI_PORT) {
    return ['TEMPORAL_UI_PORT is ignored: it applies to the embedded Temporal dev server only (TEMPORAL_ADDRESS is set)'];
  }
  return [];
}

export function temporalConfig(env: TemporalEnv): TemporalConfig {
  return {
    address: env.TEMPORAL_ADDRESS ?? null,
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    apiKey: env.TEMPORAL_API_KEY ?? null,
    tls: env.TEMPORAL_TLS_CERT && env.TEMPORAL_TLS_KEY ? { certFile: env.TEMPORAL_TLS_CERT, keyFile: env.TEMPORAL_TLS_KEY } : null,
    uiPort: env.TEMPORAL_UI_PORT ?? null,
    uiUrl: env.TEMPORAL_UI_URL ?? (env.TEMPORAL_UI_PORT && !env.TEMPORAL_ADDRESS ? `http://localhost:${env.TEMPORAL_UI_PORT}` : null),
  };
}
