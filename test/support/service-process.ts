/** Runs the service (`src/main.ts`, or compiled: `dist/main.js`, what `npm start` runs) and the operator CLI as child processes. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The project's tsx, as `npm start` and `npx tsx` run it (without npm's own start-up output). */
const TSX = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

/** Configuration variables of the service; a test sets the ones it wants, the rest are unset. */
const CONFIG_VARIABLE =
  /^(LOG_LEVEL$|SLACK_|ITGLUE_|SMTP_URL$|MAIL_FROM$|MAIL_COPY_TO$|TRUST_PROXY$|PUBLIC_BASE_URL$|PORT$|APPROVAL_SECRET(_PREVIOUS)?$|TEMPORAL_(ADDRESS|NAMESPACE|TASK_QUEUE|API_KEY|TLS_CERT|TLS_KEY|UI_PORT|UI_URL)$|POLICY_FILE$|DATA_DIR$|PAYLOAD_ENCRYPTION_KEY(_PREVIOUS)?$|CODEC_(AUTH_TOKEN|CORS_ORIGIN)$|METRICS_TOKEN$|ENV_FILE$)/;

export function serviceEnv(settings: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!CONFIG_VARIABLE.test(key)) env[key] = value;
  // A developer's own .env in the checkout is not the test's configuration.
  return { ...env, ENV_FILE: '/dev/null', ...settings };
}

export interface ReadyLine {
  port: number;
  temporal: string;
  pid: number;
  temporalPid: number | null;
}

export interface ServiceProcess {
  child: ChildProcess;
  ready: ReadyLine;
  stdout: string[];
  stderr: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((ok) => child.once('exit', (code, signal) => ok({ code, signal })));
}

/** From TypeScript with tsx, or compiled by `npm run build` (dist/main.js, with its prebuilt workflow bundle: what `npm start` runs). */
export type Program = 'source' | 'compiled';

/** Starts the service in its own process group and waits for its service.ready line. */
export async function startServiceProcess(env: NodeJS.ProcessEnv, timeoutMs = 90_000, program: Program = 'source'): Promise<ServiceProcess> {
  const [command, args] = program === 'compiled' ? [process.execPath, ['dist/main.js']] : [TSX, ['src/main.ts']];
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const exited = exitOf(child);
  const stdout: string[] = [];
  const stderr: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => stderr.push(line));
  const ready = await new Promise<ReadyLine>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`no service.ready within ${timeoutMs} ms:\n${[...stdout, ...stderr].join('\n')}`)), timeoutMs);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      stdout.push(line);
      if (!line.includes('"service.ready"')) return;
      clearTimeout(timer);
      ok(JSON.parse(line) as ReadyLine);
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      fail(new Error(`the service exited (${signal ?? code}) before it was ready:\n${[...stdout, ...stderr].join('\n')}`));
    });
  });
  return { child, ready, stdout, stderr, exited };
}

/** Runs the program `npm start` runs, for a start that is expected to fail. */
export async function runServiceToExit(env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<CliResult> {
  return run(['src/main.ts'], env, timeoutMs);
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<CliResult> {
  return run(['src/cli.ts', ...args], env, timeoutMs);
}

function run(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<CliResult> {
  const child = spawn(TSX, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`tsx ${args.join(' ')} did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('close', (code) => {
      clearTimeout(timer);
      ok({ code, stdout, stderr });
    });
  });
}

/** Live (not zombie) processes whose command line contains `text`. */
export function processesMentioning(text: string): string[] {
  const table = execFileSync('ps', ['-eo', 'pid=,stat=,args='], { encoding: 'utf8' });
  return table
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.includes(text))
    .filter((line) => !/^\d+\s+Z/.test(line))
    .filter((line) => !line.includes(' ps -eo '));
}

export function isAlive(pid: number): boolean {
  try {
    const stat = execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    return stat !== '' && !stat.startsWith('Z');
  } catch {
    return false;
  }
}

export async function waitUntil<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Kills whatever is left of a service's process group (after a failed test). */
export function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/**
 * A free port below Linux's ephemeral range (32768–60999), for a server that must get the same port
 * again after a restart (the service: the approval links name it): the embedded Temporal server,
 * started before the service listens, and every outgoing connection take ports from that range.
 */
export async function portOutsideEphemeralRange(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((ok) => {
      const server = createServer();
      server.once('error', () => ok(false));
      server.listen(port, '127.0.0.1', () => server.close(() => ok(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port between 20000 and 32000');
}
