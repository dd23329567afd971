/**
 * The env file `npm start` and the CLI read before their configuration (docs/operations.md): `.env`
 * in the working directory when it exists, or the file ENV_FILE names. Parsed by Node's own
 * parser (util.parseEnv, the `--env-file` format); a variable already set in the environment wins
 * over the file. A file that cannot be read, or a line that is not NAME=value, is a ConfigError
 * whose message is one line (never a value: the file holds secrets).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { ConfigError } from './config-error';

const ASSIGNMENT = /^\s*(?:export\s+)?[A-Za-z_][A-Za-z0-9_]*\s*=\s*(.*)$/;

/**
 * The 1-based number of the first line that is neither blank, a comment, NAME=value, nor inside a
 * quoted value that spans lines; 0 when there is none. (Node's parser passes over such lines
 * silently, or runs them into the next name.)
 */
function malformedLine(text: string): number {
  const lines = text.split(/\r?\n/);
  let open: string | null = null;
  for (const [index, line] of lines.entries()) {
    if (open) {
      if (line.includes(open)) open = null;
      continue;
    }
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    const value = ASSIGNMENT.exec(line)?.[1];
    if (value === undefined) return index + 1;
    const quote = value[0];
    if ((quote === '"' || quote === "'" || quote === '`') && !value.slice(1).includes(quote)) open = quote;
  }
  return 0;
}

/**
 * Reads the env file into `env` (variables already there are kept); returns its path, or null
 * when there is none (no ENV_FILE and no `.env` in `cwd`).
 */
export function loadEnvFile(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string | null {
  const named = env.ENV_FILE?.trim();
  const label = named ? 'ENV_FILE' : '.env';
  const path = resolve(cwd, named || '.env');
  if (!named && !existsSync(path)) return null;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(`${label}: cannot read ${path} (${code})`);
  }
  const bad = malformedLine(text);
  if (bad) throw new ConfigError(`${label}: line ${bad} of ${path} is not NAME=value (a comment starts with #)`);
  for (const [key, value] of Object.entries(parseEnv(text))) if (env[key] === undefined) env[key] = value;
  return path;
}
