/**
 * The codec endpoint for the Temporal UI and CLI over HTTP: Temporal's codec server convention,
 * the bearer token, the namespace, CORS for the UI's origin only, and bodies it refuses.
 */
import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EncryptionCodec } from '../src/temporal/payload-encryption';
import { codecRoutes } from '../src/web/codec-endpoint';
import { startHttpServer, type HttpServer } from '../src/web/server';

const TOKEN = 'codec-token-0123456789abcdef0123456789abcdef';
const UI = 'http://localhost:8233';
const NAMESPACE = 'default';
const codec = new EncryptionCodec(randomBytes(32));
const logged: Array<{ event: string; fields: Record<string, unknown> }> = [];
let http: HttpServer;
let base: string;

beforeAll(async () => {
  http = await startHttpServer({
    port: 0,
    host: '127.0.0.1',
    log: (event, fields) => logged.push({ event, fields }),
    routes: codecRoutes({
      codec,
      authToken: TOKEN,
      corsOrigins: [UI, 'https://temporal-ui.example.com'],
      namespace: NAMESPACE,
      log: (event, fields) => logged.push({ event, fields }),
    }),
  });
  base = `http://127.0.0.1:${http.port}`;
});

afterAll(async () => {
  await http.close();
  // The token is never written to the log.
  expect(JSON.stringify(logged)).not.toContain(TOKEN);
});

/** A payload in the codec server's JSON form (metadata values and data in base64). */
const toJson = (p: Payload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v!).toString('base64')])),
  data: Buffer.from(p.data ?? []).toString('base64'),
});
const fromJson = (p: { metadata: Record<string, string>; data: string }): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data, 'base64'),
});

const INVITEE = { name: 'Ines Invitee', email: 'ines@acme-dental.test' };

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Namespace': NAMESPACE, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}
const bearer = { Authorization: `Bearer ${TOKEN}` };

async function encrypted(): Promise<Payload[]> {
  return codec.encode([defaultPayloadConverter.toPayload(INVITEE), defaultPayloadConverter.toPayload('second')]);
}

describe('with the token', () => {
  it('decodes payloads stored by the service (POST /codec/decode)', async () => {
    const response = await post('/codec/decode', { payloads: (await encrypted()).map(toJson) }, bearer);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const { payloads } = (await response.json()) as { payloads: Array<{ metadata: Record<string, string>; data: string }> };
    expect(payloads.map(fromJson).map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([INVITEE, 'second']);
    expect(logged.some((l) => l.event === 'codec.request' && l.fields.operation === 'decode' && l.fields.payloads === 2)).toBe(true);
  });

  it('encodes payloads the UI sends (POST /codec/encode), readable by the service', async () => {
    const plain = [defaultPayloadConverter.toPayload({ reason: 'signal from the UI' })];
    const response = await post('/codec/encode', { payloads: plain.map(toJson) }, { authorization: `bearer ${TOKEN}` });
    expect(response.status).toBe(200);
    const { payloads } = (await response.json()) as { payloads: Array<{ metadata: Record<string, string>; data: string }> };
    const stored = payloads.map(fromJson);
    expect(Buffer.from(stored[0]!.metadata!.encoding!).toString()).toBe('binary/encrypted');
    expect(Buffer.from(stored[0]!.data!).toString('latin1')).not.toContain('signal from the UI');
    expect((await codec.decode(stored)).map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([{ reason: 'signal from the UI' }]);
  });

  it('answers an empty list, and passes on payloads that were never encrypted', async () => {
    const empty = await post('/codec/decode', { payloads: [] }, bearer);
    expect(empty.status).toBe(200);
    expect(await empty.json()).toEqual({ payloads: [] });
    const plain = toJson(defaultPayloadConverter.toPayload('plain'));
    const response = await post('/codec/decode', { payloads: [plain] }, bearer);
    expect(await response.json()).toEqual({ payloads: [plain] });
  });

  it('refuses a payload it cannot decrypt (another key, altered data) with 400 and no plaintext', async () => {
    const [foreign] = await new EncryptionCodec(randomBytes(32)).encode([defaultPayloadConverter.toPayload(INVITEE)]);
    const response = await post('/codec/decode', { payloads: [toJson(foreign!)] }, bearer);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: string };
    expect(body.error).toMatch(/key id [0-9a-f]{16}, which is neither PAYLOAD_ENCRYPTION_KEY/);
    expect(JSON.stringify(body)).not.toContain(INVITEE.email);

    const [mine] = await encrypted();
    const altered = Buffer.from(mine!.data!);
    altered[20]! ^= 1;
    const tampered = await post('/codec/decode', { payloads: [toJson({ ...mine!, data: altered })] }, bearer);
    expect(tampered.status).toBe(400);
    expect(((await tampered.json()) as { error: string }).error).toContain('altered or damaged');
  });

  it.each([
    ['not JSON', '{"payloads": [', 400],
    ['no payloads', { something: 1 }, 400],
    ['payloads not a list', { payloads: 'x' }, 400],
    ['a payload not an object', { payloads: [1] }, 400],
    ['data not base64', { payloads: [{ metadata: {}, data: '***' }] }, 400],
    ['metadata not base64', { payloads: [{ metadata: { encoding: 'binary/encrypted!' }, data: '' }] }, 400],
  ])('refuses a body with %s (%#)', async (_, body, status) => {
    const response = await post('/codec/decode', body, bearer);
    expect(response.status).toBe(status);
    expect(((await response.json()) as { error: string }).error).toBeTruthy();
  });

  it('refuses another content type (415) and another namespace (400)', async () => {
    const form = await fetch(`${base}/codec/decode`, { method: 'POST', headers: { 'Content-Type': 'text/plain', ...bearer }, body: '{"payloads":[]}' });
    expect(form.status).toBe(415);
    const other = await post('/codec/decode', { payloads: [] }, { ...bearer, 'X-Namespace': 'someone-else' });
    expect(other.status).toBe(400);
    expect(((await other.json()) as { error: string }).error).toBe('this codec endpoint serves namespace default, not someone-else');
  });

  it('answers only POST (and OPTIONS): 405 for GET', async () => {
    const response = await fetch(`${base}/codec/decode`, { headers: bearer });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST, OPTIONS');
  });
});

describe('without the token', () => {
  it.each([
    ['no Authorization header', {}],
    ['an empty bearer token', { Authorization: 'Bearer ' }],
    ['a wrong token', { Authorization: `Bearer ${TOKEN.slice(0, -1)}x` }],
    ['the token with a suffix', { Authorization: `Bearer ${TOKEN}x` }],
    ['the token as a prefix only', { Authorization: `Bearer ${TOKEN.slice(0, 10)}` }],
    ['another scheme', { Authorization: `Basic ${Buffer.from(`user:${TOKEN}`).toString('base64')}` }],
    ['the token without a scheme', { Authorization: TOKEN }],
  ])('refuses to decode with %s: 401, nothing decoded', async (_, headers) => {
    const payloads = (await encrypted()).map(toJson);
    const response = await post('/codec/decode', { payloads }, headers);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const text = await response.text();
    expect(text).not.toContain(INVITEE.email);
    expect(text).not.toContain(payloads[0]!.data);
    const encode = await post('/codec/encode', { payloads }, headers);
    expect(encode.status).toBe(401);
  });
});

describe('CORS', () => {
  const preflight = (origin: string | null, path = '/codec/decode') =>
    fetch(`${base}${path}`, {
      method: 'OPTIONS',
      headers: {
        ...(origin ? { Origin: origin } : {}),
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization,content-type,x-namespace',
      },
    });

  it('answers the preflight of a configured origin with what the UI needs', async () => {
    for (const path of ['/codec/decode', '/codec/encode']) {
      const response = await preflight(UI, path);
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe(UI);
      expect(response.headers.get('access-control-allow-methods')).toContain('POST');
      const allowed = response.headers.get('access-control-allow-headers')!.toLowerCase();
      for (const header of ['authorization', 'content-type', 'x-namespace']) expect(allowed).toContain(header);
      expect(response.headers.get('access-control-allow-credentials')).toBe('true');
      expect(response.headers.get('vary')).toContain('Origin');
    }
  });

  it('refuses the preflight of any other origin, or of none, without CORS headers', async () => {
    for (const origin of ['https://evil.example', 'http://localhost:8234', 'http://localhost:8233.evil.example', 'null', null]) {
      const response = await preflight(origin);
      expect(response.status, String(origin)).toBe(403);
      expect(response.headers.get('access-control-allow-origin'), String(origin)).toBeNull();
    }
  });

  it('lets the UI read the answers of an allowed origin, 401s included; refuses requests from another origin', async () => {
    const payloads = (await encrypted()).map(toJson);
    const ok = await post('/codec/decode', { payloads }, { ...bearer, Origin: UI });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(UI);
    const unauthorized = await post('/codec/decode', { payloads }, { Origin: UI });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get('access-control-allow-origin')).toBe(UI);

    const foreign = await post('/codec/decode', { payloads }, { ...bearer, Origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    expect(await foreign.text()).not.toContain(INVITEE.email);
  });
});
