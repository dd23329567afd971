import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { loadConfig } from '../src/config';
import { connectionOptions } from '../src/temporal/connection';

const dir = mkdtempSync(join(tmpdir(), 'invite-lite-tls-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('connects in plain text to the embedded or a local server', () => {
  expect(connectionOptions(loadConfig({ DATA_DIR: dir }).temporal, '127.0.0.1:7233')).toEqual({ address: '127.0.0.1:7233' });
});

it('uses TLS with an API key (Temporal Cloud)', () => {
  const { temporal } = loadConfig({ TEMPORAL_ADDRESS: 'acme.a1b2c.tmprl.cloud:7233', TEMPORAL_API_KEY: 'key-1', DATA_DIR: dir });
  expect(connectionOptions(temporal, temporal.address!)).toEqual({ address: 'acme.a1b2c.tmprl.cloud:7233', apiKey: 'key-1', tls: true });
});

it('presents the client certificate pair for mTLS', () => {
  const cert = join(dir, 'client.pem');
  const key = join(dir, 'client.key');
  writeFileSync(cert, 'CERT');
  writeFileSync(key, 'KEY');
  const { temporal } = loadConfig({ TEMPORAL_ADDRESS: 'temporal.internal:7233', TEMPORAL_TLS_CERT: cert, TEMPORAL_TLS_KEY: key, DATA_DIR: dir });
  const options = connectionOptions(temporal, temporal.address!);
  expect(options.tls).toEqual({ clientCertPair: { crt: Buffer.from('CERT'), key: Buffer.from('KEY') } });
  expect(options.apiKey).toBeUndefined();
});
