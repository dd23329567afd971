/**
 * Child processes of the benchmark: the service as `npm start` runs it (dist/main.js), the bench
 * workers (bench/worker.ts) and the bare Bolt app (bench/bare-bolt.ts). Each is started in its own
 * process group, reports a JSON ready line on stdout, and is stopped by its process ID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/**
 * Children run as `node <script>` when it is compiled JavaScript (dist/main.js, as `npm start` runs
 * it), as `node --import tsx <script>` otherwise (what `tsx <script>` runs, without its wrapper
 * process). With BENCH_CPU_PROFILE_DIR set, each writes a V8 CPU profile there when it stops.
 */
function nodeArgs(script: string): string[] {
  const profile = process.env.BENCH_CPU_PROFILE_DIR;
  return [...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []), ...(script.endsWith('.ts') ? ['--import', 'tsx'] : []), script];
}

/** The service's configuration variables: children get only the ones the benchmark sets. */
const CONFIG_VARIABLE =
  /^(NODE_ENV$|LOG_LEVEL$|SLACK_|ITGLUE_|SMTP_URL$|MAIL_FROM$|MAIL_COPY_TO$|TRUST_PROXY$|PUBLIC_BASE_URL$|PORT$|APPROVAL_SECRET(_PREVIOUS)?$|TEMPORAL_|POLICY_FILE$|DATA_DIR$|PAYLOAD_ENCRYPTION_KEY(_PREVIOUS)?$|CODEC_|METRICS_TOKEN$|ENV_FILE$|BENCH_)/;

export function childEnv(settings: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!CONFIG_VARIABLE.test(key)) env[key] = value;
  // A developer's own .env in the checkout is not the benchmark's configuration.
  return { ...env, ENV_FILE: '/dev/null', ...settings };
}

export type Line = Record<string, unknown> & { event?: string };

export interface Child {
  name: string;
  process: ChildProcess;
  /** The ready line (the service's `service.ready`, the bench children's `bench.ready`). */
  ready: Line;
  /** Process ID of the Node.js process (as it reports it). */
  pid: number;
  /** The last lines of output, for error messages. */
  tail(): string;
  /** Called with every JSON line on stdout. */
  onLine(listener: (line: Line) => void): void;
  stop(): Promise<void>;
  /** SIGKILL to its process group, as a crash would; resolves when it has exited. */
  kill(): Promise<void>;
}

const running = new Set<Child>();

/** Kills what is left of the children when the benchmark ends abruptly. */
export function killAllChildren(): void {
  for (const child of running) {
    if (child.process.pid !== undefined) {
      try {
        process.kill(-child.process.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
  running.clear();
}

export async function startChild(options: { name: string; script: string; env: NodeJS.ProcessEnv; readyEvent: string; timeoutMs?: number }): Promise<Child> {
  const { name, script, env, readyEvent } = options;
  const timeoutMs = options.timeoutMs ?? 120_000;
  const child = spawn(process.execPath, nodeArgs(script), { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const lines: string[] = [];
  const keep = (line: string) => {
    lines.push(line);
    if (lines.length > 200) lines.shift();
  };
  const listeners: Array<(line: Line) => void> = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((ok) => child.once('exit', (code, signal) => ok({ code, signal })));
  createInterface({ input: child.stderr! }).on('line', keep);
  let resolveReady: (line: Line) => void = () => undefined;
  const readyLine = new Promise<Line>((ok) => (resolveReady = ok));
  createInterface({ input: child.stdout! }).on('line', (text) => {
    if (!text.startsWith('{')) return keep(text);
    let line: Line;
    try {
      line = JSON.parse(text) as Line;
    } catch {
      return keep(text);
    }
    if (line.event !== 'bench.hook') keep(text);
    if (line.event === readyEvent) resolveReady(line);
    for (const listener of listeners) listener(line);
  });

  const tail = () => lines.slice(-40).join('\n');
  let timer: NodeJS.Timeout | undefined;
  const ready = await Promise.race([
    readyLine,
    exited.then(({ code, signal }) => {
      throw new Error(`${name} exited (${signal ?? code}) before it was ready:\n${tail()}`);
    }),
    new Promise<never>((_, fail) => {
      timer = setTimeout(() => fail(new Error(`${name}: not ready within ${timeoutMs} ms:\n${tail()}`)), timeoutMs);
    }),
  ]).finally(() => clearTimeout(timer));

  const handle: Child = {
    name,
    process: child,
    ready,
    pid: Number(ready.pid),
    tail,
    onLine: (listener) => void listeners.push(listener),
    async stop() {
      running.delete(handle);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const kill = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }, 15_000);
      await exited;
      clearTimeout(kill);
    },
    async kill() {
      running.delete(handle);
      if (child.exitCode !== null || child.signalCode !== null) return;
      process.kill(-child.pid!, 'SIGKILL');
      await exited;
    },
  };
  running.add(handle);
  return handle;
}

/** Resident set size of a process in bytes (Linux /proc), or null where it cannot be read. */
export function rssBytes(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb ? Number(kb) * 1024 : null;
  } catch {
    return null;
  }
}

/** CPU time (user + system) a process has used, in seconds (Linux /proc), or null. */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of /proc/<pid>/stat (utime, stime), counted from the state (field 3).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}
