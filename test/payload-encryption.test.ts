/**
 * The payload encryption codec (AES-256-GCM) on its own: round trip, tampering, key rotation, an
 * unknown key, the failure converter that moves error texts into encrypted payloads, and the
 * configuration that turns it on.
 */
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { ApplicationFailure, defaultPayloadConverter, type FailureConverter, type Payload } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config';
import { ENCRYPTED_FAILURE_CONVERTER_PATH, temporalDataConverter } from '../src/temporal/data-converter';
import { ENCRYPTED_ENCODING, EncryptionCodec, encryptionKey, KEY_ID_METADATA, parseEncryptionKey, PayloadDecryptionError } from '../src/temporal/payload-encryption';

const SECRET = { email: 'ines.secret@acme-dental.test', name: 'Ines Secretname' };
const value = { invitee: SECRET, evidence: { ip: '198.51.100.7', userAgent: 'Mozilla/5.0 (test)' } };

const toPayload = (v: unknown): Payload => defaultPayloadConverter.toPayload(v);
const fromPayload = (p: Payload): unknown => defaultPayloadConverter.fromPayload(p);
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('utf8');
/** Everything of a payload as one string: what a reader of the Temporal database would see. */
const raw = (p: Payload) => JSON.stringify(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, text(v)])) + text(p.data) + Buffer.from(p.data ?? []).toString('latin1');

async function decodeError(codec: EncryptionCodec, payloads: Payload[]): Promise<PayloadDecryptionError> {
  const outcome = await codec.decode(payloads).then(
    (decoded) => new Error(`decoded to ${JSON.stringify(decoded.map(fromPayload))}`),
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(PayloadDecryptionError);
  return outcome as PayloadDecryptionError;
}

const key = () => randomBytes(32);

describe('EncryptionCodec', () => {
  it('encrypts each payload, names its key, and decrypts it to the same value', async () => {
    const codec = new EncryptionCodec(key());
    const plain = [toPayload(value), toPayload('just a string'), toPayload(null), toPayload(42)];
    const encoded = await codec.encode(plain);

    expect(encoded).toHaveLength(4);
    for (const p of encoded) {
      expect(text(p.metadata?.encoding)).toBe(ENCRYPTED_ENCODING);
      expect(text(p.metadata?.[KEY_ID_METADATA])).toBe(codec.current.id);
      expect(Object.keys(p.metadata ?? {}).sort()).toEqual(['encoding', KEY_ID_METADATA].sort());
    }
    const stored = encoded.map(raw).join('\n');
    for (const secret of [SECRET.email, SECRET.name, 'json/plain', '198.51.100.7', 'Mozilla', 'just a string']) expect(stored).not.toContain(secret);

    const decoded = await codec.decode(encoded);
    expect(decoded.map(fromPayload)).toEqual([value, 'just a string', null, 42]);
  });

  it('uses a new IV for each payload: the same value encrypts differently every time', async () => {
    const codec = new EncryptionCodec(key());
    const [a, b] = await codec.encode([toPayload(value), toPayload(value)]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
    expect(Buffer.from(a!.data!).subarray(0, 12).equals(Buffer.from(b!.data!).subarray(0, 12))).toBe(false);
  });

  it('detects any change to the data, and a key id swapped for another known key', async () => {
    const first = key();
    const second = key();
    const codec = new EncryptionCodec(first, [second]);
    const [encoded] = await codec.encode([toPayload(value)]);
    const data = Buffer.from(encoded!.data!);

    // One bit flipped in the IV, in the ciphertext, and in the tag.
    for (const at of [0, 12, Math.floor(data.length / 2), data.length - 1]) {
      const altered = Buffer.from(data);
      altered[at]! ^= 0x01;
      const error = await decodeError(codec, [{ ...encoded!, data: altered }]);
      expect(error.message).toContain('altered or damaged');
      expect(error.message).not.toContain(SECRET.email);
    }
    // Cut short, cut to nothing, a byte appended.
    await decodeError(codec, [{ ...encoded!, data: data.subarray(0, data.length - 1) }]);
    await decodeError(codec, [{ ...encoded!, data: new Uint8Array() }]);
    await decodeError(codec, [{ ...encoded!, data: Buffer.concat([data, Buffer.from([0])]) }]);
    // The payload claims the other key (known to the codec): the key id is bound to the ciphertext.
    const otherId = encryptionKey(second).id;
    await decodeError(codec, [{ metadata: { ...encoded!.metadata, [KEY_ID_METADATA]: Buffer.from(otherId) }, data }]);
    // No key id at all.
    await decodeError(codec, [{ metadata: { encoding: Buffer.from(ENCRYPTED_ENCODING) }, data }]);
    // The untouched payload still decrypts.
    expect((await codec.decode([encoded!])).map(fromPayload)).toEqual([value]);
  });

  it('rotates: the previous key decrypts what it wrote, new payloads use the current key only', async () => {
    const oldKey = key();
    const newKey = key();
    const before = new EncryptionCodec(oldKey);
    const written = await before.encode([toPayload(value)]);

    const rotated = new EncryptionCodec(newKey, [oldKey]);
    expect(rotated.keyIds).toEqual([encryptionKey(newKey).id, encryptionKey(oldKey).id]);
    expect((await rotated.decode(written)).map(fromPayload)).toEqual([value]);

    const fresh = await rotated.encode([toPayload(value)]);
    expect(text(fresh[0]!.metadata?.[KEY_ID_METADATA])).toBe(encryptionKey(newKey).id);
    expect(text(fresh[0]!.metadata?.[KEY_ID_METADATA])).not.toBe(before.current.id);
    // After the rotation is over (the previous key removed), the new payloads still decrypt.
    expect((await new EncryptionCodec(newKey).decode(fresh)).map(fromPayload)).toEqual([value]);
  });

  it('fails clearly on a payload of an unknown key, naming key ids only, never returning the ciphertext or plaintext', async () => {
    const stranger = new EncryptionCodec(key());
    const [foreign] = await stranger.encode([toPayload(value)]);
    const current = key();
    const previous = key();
    const codec = new EncryptionCodec(current, [previous]);

    const error = await decodeError(codec, [toPayload('fine'), foreign!]);
    expect(error.message).toBe(
      `a payload is encrypted with key id ${stranger.current.id}, which is neither PAYLOAD_ENCRYPTION_KEY (key id ${encryptionKey(current).id}) ` +
        `nor PAYLOAD_ENCRYPTION_KEY_PREVIOUS (key id ${encryptionKey(previous).id})`,
    );
    const alone = await decodeError(new EncryptionCodec(current), [foreign!]);
    expect(alone.message).toContain('PAYLOAD_ENCRYPTION_KEY_PREVIOUS (unset)');
    for (const k of [current, previous]) {
      expect(error.message).not.toContain(k.toString('hex'));
      expect(error.message).not.toContain(k.toString('base64'));
    }
  });

  it('reads payloads written before encryption was turned on as they are', async () => {
    const codec = new EncryptionCodec(key());
    const plain = toPayload(value);
    const [decoded] = await codec.decode([plain]);
    expect(fromPayload(decoded!)).toEqual(value);
  });

  it('derives a stable key id that shows nothing of the key', () => {
    const k = key();
    const id = encryptionKey(k).id;
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(encryptionKey(Buffer.from(k)).id).toBe(id);
    expect(encryptionKey(key()).id).not.toBe(id);
    expect(k.toString('hex')).not.toContain(id);
    expect(() => encryptionKey(randomBytes(16))).toThrow(/32 bytes/);
  });
});

describe('parseEncryptionKey', () => {
  const k = key();

  it('reads 32 bytes as 64 hex digits, base64 or base64url, with or without padding', () => {
    for (const written of [k.toString('hex'), k.toString('hex').toUpperCase(), k.toString('base64'), k.toString('base64').replace(/=$/, ''), k.toString('base64url')]) {
      expect(parseEncryptionKey(written)?.equals(k), written).toBe(true);
    }
  });

  it('refuses anything else', () => {
    for (const written of [
      '',
      'secret',
      k.toString('hex').slice(2),
      `${k.toString('hex')}00`,
      randomBytes(16).toString('base64'),
      randomBytes(48).toString('base64'),
      `${k.toString('base64').slice(0, 40)}!!!=`,
      'a'.repeat(44),
    ]) {
      expect(parseEncryptionKey(written), written).toBeNull();
    }
  });
});

describe('failure converter with encryption', () => {
  const require = createRequire(import.meta.url);
  const { failureConverter } = require(ENCRYPTED_FAILURE_CONVERTER_PATH) as { failureConverter: FailureConverter };

  it('puts the message and stack trace into an encrypted payload, and reads them back', async () => {
    const codec = new EncryptionCodec(key());
    const error = ApplicationFailure.create({ message: `no mailbox for ${SECRET.email} (${SECRET.name})`, type: 'MailRefused', nonRetryable: true });
    const failure = failureConverter.errorToFailure(error, defaultPayloadConverter);
    expect(failure.message).toBe('Encoded failure');
    expect(failure.stackTrace).toBe('');
    const [encoded] = await codec.encode([failure.encodedAttributes!]);
    const stored = { ...failure, encodedAttributes: encoded };
    expect(JSON.stringify(stored) + raw(encoded!)).not.toContain(SECRET.email);

    const [decoded] = await codec.decode([encoded!]);
    const back = failureConverter.failureToError({ ...stored, encodedAttributes: decoded }, defaultPayloadConverter);
    expect(back).toBeInstanceOf(ApplicationFailure);
    expect(back.message).toBe(`no mailbox for ${SECRET.email} (${SECRET.name})`);
    expect((back as ApplicationFailure).type).toBe('MailRefused');
  });

  it('is what the data converter uses, with the codec, only when a key is set', () => {
    expect(temporalDataConverter(null)).toBeUndefined();
    const converter = temporalDataConverter({ current: key(), previous: null });
    expect(converter?.failureConverterPath).toBe(ENCRYPTED_FAILURE_CONVERTER_PATH);
    expect(converter?.payloadCodecs?.[0]).toBeInstanceOf(EncryptionCodec);
  });
});

describe('configuration', () => {
  const k = key();
  const previous = key();
  const TOKEN = 'c0dec'.repeat(10);

  function configError(env: Record<string, string>): string {
    let message = '';
    try {
      loadConfig(env);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as ConfigError).message;
    }
    expect(message, `a ConfigError for ${Object.keys(env).join(', ')}`).not.toBe('');
    expect(message.split('\n')).toHaveLength(1);
    for (const secret of [k.toString('hex'), k.toString('base64'), TOKEN, 'not-a-key']) expect(message).not.toContain(secret);
    return message;
  }

  it('is off unless PAYLOAD_ENCRYPTION_KEY is set; the codec endpoint needs CODEC_AUTH_TOKEN too', () => {
    const none = loadConfig({});
    expect(none.payloadEncryption).toBeNull();
    expect(none.codecEndpoint).toBeNull();

    const on = loadConfig({ PAYLOAD_ENCRYPTION_KEY: k.toString('base64') });
    expect(on.payloadEncryption?.current.equals(k)).toBe(true);
    expect(on.payloadEncryption?.previous).toBeNull();
    expect(on.codecEndpoint).toBeNull();

    const rotating = loadConfig({ PAYLOAD_ENCRYPTION_KEY: k.toString('hex'), PAYLOAD_ENCRYPTION_KEY_PREVIOUS: previous.toString('base64') });
    expect(rotating.payloadEncryption?.previous?.equals(previous)).toBe(true);
  });

  it('allows the codec endpoint to the origins of CODEC_CORS_ORIGIN, else to the embedded UI only', () => {
    const base = { PAYLOAD_ENCRYPTION_KEY: k.toString('base64'), CODEC_AUTH_TOKEN: TOKEN };
    expect(loadConfig(base).codecEndpoint).toEqual({ authToken: TOKEN, corsOrigins: [] });
    expect(loadConfig({ ...base, TEMPORAL_UI_PORT: '8233' }).codecEndpoint?.corsOrigins).toEqual(['http://localhost:8233', 'http://127.0.0.1:8233']);
    expect(loadConfig({ ...base, CODEC_CORS_ORIGIN: 'https://temporal-ui.example.com/, http://localhost:8080' }).codecEndpoint?.corsOrigins).toEqual([
      'https://temporal-ui.example.com',
      'http://localhost:8080',
    ]);
  });

  it.each([
    [{ PAYLOAD_ENCRYPTION_KEY: 'not-a-key' }, 'PAYLOAD_ENCRYPTION_KEY: expected 32 random bytes written as base64 or as 64 hex digits'],
    [{ PAYLOAD_ENCRYPTION_KEY: randomBytes(16).toString('base64') }, 'PAYLOAD_ENCRYPTION_KEY: expected 32 random bytes'],
    [{ PAYLOAD_ENCRYPTION_KEY: k.toString('hex'), PAYLOAD_ENCRYPTION_KEY_PREVIOUS: 'not-a-key' }, 'PAYLOAD_ENCRYPTION_KEY_PREVIOUS: expected 32 random bytes'],
    [{ PAYLOAD_ENCRYPTION_KEY_PREVIOUS: k.toString('hex') }, 'PAYLOAD_ENCRYPTION_KEY: required when PAYLOAD_ENCRYPTION_KEY_PREVIOUS is set'],
    [
      { PAYLOAD_ENCRYPTION_KEY: k.toString('hex'), PAYLOAD_ENCRYPTION_KEY_PREVIOUS: k.toString('base64') },
      'PAYLOAD_ENCRYPTION_KEY_PREVIOUS: is the same key as PAYLOAD_ENCRYPTION_KEY',
    ],
    [{ CODEC_AUTH_TOKEN: TOKEN }, 'PAYLOAD_ENCRYPTION_KEY: required when CODEC_AUTH_TOKEN is set'],
    [{ PAYLOAD_ENCRYPTION_KEY: k.toString('hex'), CODEC_AUTH_TOKEN: 'short' }, 'CODEC_AUTH_TOKEN: expected at least 32 bytes'],
    [{ PAYLOAD_ENCRYPTION_KEY: k.toString('hex'), CODEC_CORS_ORIGIN: 'http://localhost:8233' }, 'CODEC_AUTH_TOKEN: required when CODEC_CORS_ORIGIN is set'],
    [
      { PAYLOAD_ENCRYPTION_KEY: k.toString('hex'), CODEC_AUTH_TOKEN: TOKEN, CODEC_CORS_ORIGIN: 'https://ui.example.com/path' },
      'CODEC_CORS_ORIGIN: expected comma-separated origins',
    ],
  ])('refuses %j in one line naming the variable, never showing a key or token', (env, expected) => {
    expect(configError(env)).toContain(expected);
  });
});
