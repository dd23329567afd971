/**
 * The Temporal data converter of the worker, the service's client and the CLI: the SDK's default,
 * or, with PAYLOAD_ENCRYPTION_KEY, the encryption codec (src/temporal/payload-encryption.ts) and a
 * failure converter that puts failure messages and stack traces into encrypted payloads too. The
 * worker's workflow bundle must be built with the same failure converter (`failureConverterPath`).
 */
import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import { EncryptionCodec } from './payload-encryption';

/** The keys of payload encryption, from PAYLOAD_ENCRYPTION_KEY and PAYLOAD_ENCRYPTION_KEY_PREVIOUS. */
export interface PayloadEncryptionKeys {
  current: Buffer;
  /** Still decrypts payloads written before a rotation; never encrypts. */
  previous: Buffer | null;
}

export const ENCRYPTED_FAILURE_CONVERTER_PATH = fileURLToPath(new URL('./failure-converter.cjs', import.meta.url));

export function encryptionCodec(keys: PayloadEncryptionKeys): EncryptionCodec {
  return new EncryptionCodec(keys.current, keys.previous ? [keys.previous] : []);
}

/** Undefined (the SDK's default) without encryption. */
export function temporalDataConverter(keys: PayloadEncryptionKeys | null): DataConverter | undefined {
  if (!keys) return undefined;
  return { payloadCodecs: [encryptionCodec(keys)], failureConverterPath: ENCRYPTED_FAILURE_CONVERTER_PATH };
}
