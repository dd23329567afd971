/**
 * Encryption of everything the service stores in Temporal (workflow inputs and results, activity
 * arguments and results, signals, updates, queries, memos, failure messages and stack traces): a
 * payload codec with AES-256-GCM, so that the Temporal server (Temporal Cloud, or a database
 * someone else runs) only ever holds ciphertext of names, email addresses and approval evidence.
 *
 * Each encrypted payload carries the id of its key (a hash of the key, not the key) in its
 * metadata. New payloads are always encrypted with the current key (PAYLOAD_ENCRYPTION_KEY); the
 * previous one (PAYLOAD_ENCRYPTION_KEY_PREVIOUS) still decrypts what was written before a
 * rotation. A payload with a key id neither of them has, or one that was altered, is an error:
 * never passed on as it is. Payloads that were never encrypted (written before encryption was
 * turned on) are read as they are.
 *
 * Search attributes are not payloads a codec sees: they hold no names or addresses (workflows/messages.ts).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';

// A CommonJS package: its messages are reached through the default export.
const PayloadMessage = proto.temporal.api.common.v1.Payload;

/** The `encoding` of an encrypted payload; its data is IV (12 bytes), ciphertext, tag (16 bytes). */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
/** Metadata naming the key that encrypted a payload. */
export const KEY_ID_METADATA = 'encryption-key-id';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const CIPHER = 'aes-256-gcm';

export interface EncryptionKey {
  /** Names the key in each payload's metadata; derived from the key, and says nothing about it. */
  id: string;
  key: Buffer;
}

/** A payload that cannot be decrypted: an unknown key, or data that was altered. The message names key ids only. */
export class PayloadDecryptionError extends Error {
  override readonly name = 'PayloadDecryptionError';
}

/**
 * The 32 bytes of a key written as 64 hex digits or as base64 (standard or URL-safe alphabet,
 * padding optional); null when the text is neither, or is not 32 bytes long.
 */
export function parseEncryptionKey(text: string): Buffer | null {
  const value = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (!/^[A-Za-z0-9+/]{43}=?$/.test(value) && !/^[A-Za-z0-9_-]{43}=?$/.test(value)) return null;
  const bytes = Buffer.from(value.replace(/=$/, ''), value.includes('-') || value.includes('_') ? 'base64url' : 'base64');
  return bytes.length === KEY_BYTES ? bytes : null;
}

export function encryptionKey(key: Buffer): EncryptionKey {
  if (key.length !== KEY_BYTES) throw new TypeError(`an AES-256 key is ${KEY_BYTES} bytes, got ${key.length}`);
  const id = createHash('sha256').update('invite-lite payload encryption key id\n').update(key).digest('hex').slice(0, 16);
  return { id, key: Buffer.from(key) };
}

const text = (bytes: Uint8Array | null | undefined): string | undefined => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);

/** The key id and encoding are bound to the ciphertext: changing either makes decryption fail. */
const associatedData = (keyId: string) => Buffer.from(`${ENCRYPTED_ENCODING};${keyId}`, 'utf8');

export class EncryptionCodec implements PayloadCodec {
  readonly current: EncryptionKey;
  private readonly keys: Map<string, EncryptionKey>;

  /** `current` encrypts and decrypts; `previous` (the key before a rotation) only decrypts. */
  constructor(current: Buffer, previous: readonly Buffer[] = []) {
    this.current = encryptionKey(current);
    this.keys = new Map([this.current, ...previous.map(encryptionKey)].map((k) => [k.id, k]));
  }

  /** The ids of the keys this codec decrypts with, the current one first. */
  get keyIds(): string[] {
    return [...this.keys.keys()];
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.encrypt(payload));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.decrypt(payload));
  }

  private encrypt(payload: Payload): Payload {
    const { id, key } = this.current;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(CIPHER, key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(associatedData(id));
    const plain = PayloadMessage.encode(payload).finish();
    const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: {
        [METADATA_ENCODING_KEY]: Buffer.from(ENCRYPTED_ENCODING, 'utf8'),
        [KEY_ID_METADATA]: Buffer.from(id, 'utf8'),
      },
      data,
    };
  }

  private decrypt(payload: Payload): Payload {
    // Written before encryption was turned on: read as it is.
    if (text(payload.metadata?.[METADATA_ENCODING_KEY]) !== ENCRYPTED_ENCODING) return payload;
    const id = text(payload.metadata?.[KEY_ID_METADATA]);
    if (!id) throw new PayloadDecryptionError('an encrypted payload names no key id: it cannot be decrypted');
    const found = this.keys.get(id);
    if (!found) {
      const [current, ...previous] = this.keyIds;
      throw new PayloadDecryptionError(
        `a payload is encrypted with key id ${id}, which is neither PAYLOAD_ENCRYPTION_KEY (key id ${current}) ` +
          `nor PAYLOAD_ENCRYPTION_KEY_PREVIOUS (${previous.length > 0 ? `key id ${previous.join(', ')}` : 'unset'})`,
      );
    }
    const data = Buffer.from(payload.data ?? new Uint8Array());
    if (data.length < IV_BYTES + TAG_BYTES) {
      throw new PayloadDecryptionError(`a payload encrypted with key id ${id} is too short: it was altered or damaged`);
    }
    try {
      const decipher = createDecipheriv(CIPHER, found.key, data.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
      decipher.setAAD(associatedData(id));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      return PayloadMessage.decode(plain);
    } catch {
      throw new PayloadDecryptionError(`a payload encrypted with key id ${id} failed authentication: it was altered or damaged`);
    }
  }
}
