/** GET /metrics' variable (docs/operations.md, Metrics): METRICS_TOKEN, the bearer token it asks for when set. */
import { z } from 'zod';

export const metricsEnv = {
  METRICS_TOKEN: z
    .string()
    .refine((value) => Buffer.byteLength(value) >= 32 && /^\S+$/.test(value), 'expected at least 32 bytes without spaces (e.g. the output of openssl rand -hex 32)')
    .optional(),
};
