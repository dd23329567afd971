/**
 * The demo's approval secret: with nothing real configured and APPROVAL_SECRET unset, the service
 * signs approval links with 32 random bytes made once for its data directory and kept there in a
 * file only its user can read, so that links survive a restart and no two installations share a
 * secret. The file appears whole or not at all (written aside, then linked into place), and two
 * processes starting at once end up with the same secret.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './config-error';

/** The file's name in DATA_DIR. */
export const DEMO_SECRET_FILE = 'approval-secret';

/** 32 random bytes, hex: what the file holds (a final newline allowed). */
const CONTENT = /^[0-9a-f]{64}\n?$/;

export interface DemoSecret {
  secret: string;
  file: string;
  /** Made by this call (false: read from an earlier start). */
  created: boolean;
}

/** Reads the demo secret of `dataDir`, making it first if there is none. Throws ConfigError. */
export function demoApprovalSecret(dataDir: string): DemoSecret {
  const file = join(dataDir, DEMO_SECRET_FILE);
  const existing = readSecretFile(file);
  if (existing !== null) return { secret: existing, file, created: false };

  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new ConfigError(`DATA_DIR: cannot create ${dataDir} for the demo approval secret (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  const secret = randomBytes(32).toString('hex');
  const temporary = join(dataDir, `.${DEMO_SECRET_FILE}.${process.pid}.${randomBytes(6).toString('hex')}`);
  try {
    const fd = openSync(temporary, 'wx', 0o600);
    try {
      writeSync(fd, `${secret}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    linkSync(temporary, file);
    return { secret, file, created: true };
  } catch (error) {
    // Another process made it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      const theirs = readSecretFile(file);
      if (theirs !== null) return { secret: theirs, file, created: false };
    }
    throw new ConfigError(
      `DATA_DIR: cannot write the demo approval secret to ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)}); or set APPROVAL_SECRET`,
    );
  } finally {
    try {
      unlinkSync(temporary);
    } catch {
      // Never made.
    }
  }
}

/** The secret in the file; null when there is no file. Throws ConfigError for a file it cannot trust. */
function readSecretFile(file: string): string | null {
  const cannot = (why: string) => new ConfigError(`APPROVAL_SECRET: unset, and the demo secret file ${file} ${why}`);
  let fd: number;
  try {
    // Not through a symbolic link, and without waiting on a FIFO.
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'ELOOP') throw cannot('is a symbolic link: remove it to have a new secret made, or set APPROVAL_SECRET');
    throw cannot(`cannot be read (${code ?? String(error)})`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw cannot('is not a regular file: remove it to have a new secret made, or set APPROVAL_SECRET');
    const mode = stat.mode & 0o777;
    if ((mode & 0o077) !== 0) {
      throw cannot(`is open to other users (mode ${mode.toString(8).padStart(4, '0')}): chmod 600 it (or remove it to have a new secret made), or set APPROVAL_SECRET`);
    }
    if (typeof process.getuid === 'function' && stat.uid !== process.getuid()) {
      throw cannot(`belongs to another user (uid ${stat.uid}): remove it, or set APPROVAL_SECRET`);
    }
    const content = stat.size <= 65 ? readFileSync(fd, 'utf8') : '';
    if (!CONTENT.test(content)) {
      throw cannot('does not hold a secret made by invite-lite (64 hexadecimal characters): remove it to have a new secret made, or set APPROVAL_SECRET');
    }
    return content.trim();
  } finally {
    closeSync(fd);
  }
}
