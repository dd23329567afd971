/**
 * The codec endpoint for the Temporal UI and CLI, when payload encryption is on and
 * CODEC_AUTH_TOKEN is set. With it, the UI shows onboardings' data decrypted in the browser of
 * someone who holds the token, while the Temporal server keeps ciphertext only. Temporal's codec
 * server convention:
 *
 * - `POST /codec/decode` and `POST /codec/encode`, with a JSON body `{"payloads": [...]}` (each
 *   payload as protobuf JSON: `metadata` values and `data` in base64), answered in the same shape;
 * - `Authorization: Bearer <CODEC_AUTH_TOKEN>` on every request (compared in constant time),
 *   otherwise 401;
 * - `X-Namespace`, when sent, must be the service's namespace;
 * - CORS for the Temporal UI's origins only (CODEC_CORS_ORIGIN): `OPTIONS` preflights answer 204
 *   for them and 403 for any other origin, and a request from another origin is refused.
 */
import { bearerCheck } from './bearer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { Log } from '../log';
import { sendJson, type RouteContext, type Routes } from './router';

export const CODEC_BASE_PATH = '/codec';

/** A history page's payloads in one request; Temporal's own limit is 2 MiB a payload. */
const BODY_LIMIT_BYTES = 16 * 1024 * 1024;
const MAX_PAYLOADS = 10_000;
const ALLOWED_HEADERS = 'Authorization, Content-Type, X-Namespace';

export interface CodecEndpointOptions {
  codec: PayloadCodec;
  /** CODEC_AUTH_TOKEN. */
  authToken: string;
  /** Browser origins allowed to call the endpoint (the Temporal UI's). */
  corsOrigins: readonly string[];
  /** The service's Temporal namespace: the only one this endpoint speaks for. */
  namespace: string;
  log: Log;
}

/** A request the endpoint refuses, with its status and a message for the caller. */
class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface JsonPayload {
  metadata?: Record<string, string> | null;
  data?: string | null;
}

const BASE64 = /^(?:[A-Za-z0-9+/]*|[A-Za-z0-9_-]*)={0,2}$/;

function bytesOf(value: unknown, what: string): Uint8Array {
  if (typeof value !== 'string' || !BASE64.test(value)) throw new Refusal(400, `${what}: expected a base64 string`);
  return Buffer.from(value, /[-_]/.test(value) ? 'base64url' : 'base64');
}

/** A payload from its protobuf JSON form. */
function fromJson(value: unknown, index: number): Payload {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Refusal(400, `payloads[${index}]: expected an object`);
  const { metadata, data } = value as JsonPayload;
  if (metadata !== undefined && metadata !== null && (typeof metadata !== 'object' || Array.isArray(metadata))) {
    throw new Refusal(400, `payloads[${index}].metadata: expected an object`);
  }
  return {
    metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([key, v]) => [key, bytesOf(v, `payloads[${index}].metadata.${key}`)])),
    data: data === undefined || data === null ? new Uint8Array() : bytesOf(data, `payloads[${index}].data`),
  };
}

function toJson(payload: Payload): JsonPayload {
  return {
    metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, v]) => [key, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
    data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
  };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') throw new Refusal(415, `expected application/json, got ${type || 'no content type'}`);
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > BODY_LIMIT_BYTES) throw new Refusal(413, `the body is over ${BODY_LIMIT_BYTES} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > BODY_LIMIT_BYTES) throw new Refusal(413, `the body is over ${BODY_LIMIT_BYTES} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new Refusal(400, 'the body is not JSON');
  }
}

function payloadsOf(body: unknown): Payload[] {
  const payloads = (body as { payloads?: unknown } | null)?.payloads;
  if (!Array.isArray(payloads)) throw new Refusal(400, 'expected {"payloads": [...]}');
  if (payloads.length > MAX_PAYLOADS) throw new Refusal(413, `at most ${MAX_PAYLOADS} payloads a request`);
  return payloads.map(fromJson);
}

export function codecRoutes(options: CodecEndpointOptions): Routes {
  const { codec, namespace, log } = options;
  const origins = new Set(options.corsOrigins);
  const authorized = bearerCheck(options.authToken);

  /** The request's Origin when it is an allowed one (then the answer carries CORS headers for it); null for no Origin. */
  const allowOrigin = (req: IncomingMessage, res: ServerResponse): string | null => {
    res.setHeader('Vary', 'Origin');
    const origin = req.headers.origin;
    if (origin === undefined) return null;
    if (!origins.has(origin)) throw new Refusal(403, 'this origin may not use the codec endpoint');
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    return origin;
  };

  const refuse = (res: ServerResponse, operation: string, refusal: Refusal, origin: string | undefined) => {
    if (refusal.status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="invite-lite codec"');
    log('codec.refused', { operation, status: refusal.status, reason: refusal.message, origin: origin ?? null });
    sendJson(res, refusal.status, { error: refusal.message });
  };

  const operate =
    (operation: 'decode' | 'encode') =>
    async ({ req, res }: RouteContext): Promise<void> => {
      const origin = req.headers.origin;
      try {
        if (req.method === 'OPTIONS') {
          if (allowOrigin(req, res) === null) throw new Refusal(403, 'a preflight request needs an Origin');
          res.writeHead(204, {
            'Access-Control-Allow-Methods': 'POST, OPTIONS',
            'Access-Control-Allow-Headers': ALLOWED_HEADERS,
            'Access-Control-Max-Age': '600',
            'Cache-Control': 'no-store',
          });
          res.end();
          return;
        }
        allowOrigin(req, res);
        if (!authorized(req)) throw new Refusal(401, 'a bearer token (CODEC_AUTH_TOKEN) is required');
        const asked = req.headers['x-namespace'];
        if (typeof asked === 'string' && asked !== '' && asked !== namespace) {
          throw new Refusal(400, `this codec endpoint serves namespace ${namespace}, not ${asked}`);
        }
        const payloads = payloadsOf(await readJson(req));
        let result: Payload[];
        try {
          result = operation === 'decode' ? await codec.decode(payloads) : await codec.encode(payloads);
        } catch (error) {
          throw new Refusal(400, error instanceof Error ? error.message : String(error));
        }
        log('codec.request', { operation, payloads: payloads.length, origin: origin ?? null });
        sendJson(res, 200, { payloads: result.map(toJson) });
      } catch (error) {
        if (!(error instanceof Refusal)) throw error;
        refuse(res, operation, error, origin);
      }
    };

  return [
    { methods: ['POST', 'OPTIONS'], path: new RegExp(`^${CODEC_BASE_PATH}/decode$`), handle: operate('decode') },
    { methods: ['POST', 'OPTIONS'], path: new RegExp(`^${CODEC_BASE_PATH}/encode$`), handle: operate('encode') },
  ];
}
