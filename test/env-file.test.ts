/**
 * The env file `npm start` and the CLI read (src/env-file.ts): `.env` in the working directory, or
 * ENV_FILE; variables already set win; a malformed file stops them with one line.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../src/config';
import { loadEnvFile } from '../src/env-file';
import { runCli, runServiceToExit, serviceEnv } from './support/service-process';

const root = mkdtempSync(join(tmpdir(), 'invite-lite-env-file-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
function dirWith(files: Record<string, string>): string {
  const dir = join(root, String((n += 1)));
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('loadEnvFile', () => {
  it('reads .env in the working directory; variables already set win', () => {
    const dir = dirWith({
      '.env': '# the demo\nPORT=4000\nexport LOG_LEVEL=debug\n\nMAIL_FROM="Acme IT <it@acme.example>"\nDATA_DIR=./from-file\nNOTE="two\nlines"\n',
    });
    const env: NodeJS.ProcessEnv = { DATA_DIR: '/from/environment' };
    expect(loadEnvFile(env, dir)).toBe(join(dir, '.env'));
    expect(env).toEqual({ DATA_DIR: '/from/environment', PORT: '4000', LOG_LEVEL: 'debug', MAIL_FROM: 'Acme IT <it@acme.example>', NOTE: 'two\nlines' });
  });

  it('does nothing without a .env', () => {
    const env: NodeJS.ProcessEnv = {};
    expect(loadEnvFile(env, dirWith({}))).toBeNull();
    expect(env).toEqual({});
  });

  it('reads the file ENV_FILE names instead, and says when it cannot', () => {
    const dir = dirWith({ '.env': 'PORT=4000\n', 'prod.env': 'PORT=5000\n' });
    const env: NodeJS.ProcessEnv = { ENV_FILE: 'prod.env' };
    loadEnvFile(env, dir);
    expect(env.PORT).toBe('5000');
    expect(() => loadEnvFile({ ENV_FILE: 'missing.env' }, dir)).toThrow(new ConfigError(`ENV_FILE: cannot read ${join(dir, 'missing.env')} (ENOENT)`));
  });

  it('refuses a line that is not NAME=value, naming the line but not its text', () => {
    const dir = dirWith({ '.env': 'PORT=4000\nxoxb-a-token-pasted-alone\nSLACK_CHANNEL_ID=C0123ABCD\n' });
    const env: NodeJS.ProcessEnv = {};
    expect(() => loadEnvFile(env, dir)).toThrow(new ConfigError(`.env: line 2 of ${join(dir, '.env')} is not NAME=value (a comment starts with #)`));
    expect(() => loadEnvFile(env, dir)).not.toThrow(/xoxb/);
    expect(env).toEqual({});
    // A last line without "=" too (Node's parser would pass over it).
    expect(() => loadEnvFile({}, dirWith({ '.env': 'PORT=4000\nSLACK_BOT_TOKEN\n' }))).toThrow(/^\.env: line 2 of .* is not NAME=value/);
  });
});

describe('npm start and the CLI', () => {
  it('the CLI takes its settings from the env file', async () => {
    const dir = dirWith({ 'cli.env': 'TEMPORAL_ADDRESS=127.0.0.1:1\n' });
    const result = await runCli(['list'], serviceEnv({ ENV_FILE: join(dir, 'cli.env'), DATA_DIR: dir }));
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe('invite-lite: cannot reach Temporal at 127.0.0.1:1 (TEMPORAL_ADDRESS)');
  });

  it('npm start stops at a malformed env file with one line', async () => {
    const dir = dirWith({ 'bad.env': 'PORT=4000\nnot an assignment\n' });
    const result = await runServiceToExit(serviceEnv({ ENV_FILE: join(dir, 'bad.env'), DATA_DIR: dir }));
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`ENV_FILE: line 2 of ${join(dir, 'bad.env')} is not NAME=value (a comment starts with #)\n`);
  });
});
