import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';

/** The well-known Azurite development account (public, documented by Microsoft; not a secret). */
const DEV_ACCOUNT = 'devstoreaccount1';
const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteOptions {
  location: string;
  blobPort: number;
  queuePort: number;
  /** How long to wait for both services to listen. */
  startTimeoutMs?: number;
  /** Where supervision writes its JSON log lines (exits, restarts); stderr by default. */
  log?: (line: string) => void;
}

/** A running Azurite child process on loopback. */
export interface AzuriteInstance {
  connectionString: string;
  blobPort: number;
  queuePort: number;
  /** The current child's process id (it changes when Azurite is restarted). */
  readonly pid: number | undefined;
  /** How many times Azurite was restarted after exiting unexpectedly. */
  readonly restarts: number;
  /** Stops Azurite for good (no restart). */
  stop(): Promise<void>;
}

/** Builds the connection string for an Azurite instance listening on the given ports. */
export function azuriteConnectionString(blobPort: number, queuePort: number): string {
  return (
    `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT};AccountKey=${DEV_KEY};` +
    `BlobEndpoint=http://127.0.0.1:${blobPort}/${DEV_ACCOUNT};QueueEndpoint=http://127.0.0.1:${queuePort}/${DEV_ACCOUNT};`
  );
}

/** Starts Azurite (blob + queue + table) as a child process and resolves when blob and queue listen. */
export async function startAzurite(options: AzuriteOptions): Promise<AzuriteInstance> {
  fs.mkdirSync(options.location, { recursive: true });
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const first = await spawnAzurite(options);
  const { ports } = first;
  let child = first.child;
  let stopped = false;
  let restarts = 0;
  // If this process ends without stop() (an uncaught error, process.exit), Azurite must not outlive
  // it holding the ports; kill() is synchronous, so it works inside an 'exit' handler.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  /**
   * Supervision: when Azurite exits without stop(), it is started again on the same ports and data
   * directory, after a backoff that doubles up to MAX_BACKOFF_MS; the bot's storage clients
   * reconnect by themselves once the ports answer again.
   */
  const supervise = (current: ChildProcess): void => {
    current.once('exit', (code, signal) => {
      if (stopped) return;
      log(JSON.stringify({ level: 'warn', service: 'azurite', pid: current.pid, code, signal, msg: 'azurite exited unexpectedly; restarting' }));
      void restart(0);
    });
  };
  const restart = async (attempt: number): Promise<void> => {
    const delay = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** attempt);
    await new Promise((resolve) => setTimeout(resolve, delay).unref());
    if (stopped) return;
    try {
      // The new child is the current one from its spawn on: killOnExit and stop() reach it while it starts.
      const next = await spawnAzurite({ ...options, blobPort: ports.blob, queuePort: ports.queue }, (spawned) => (child = spawned));
      if (stopped) {
        await stopChild(next.child);
        return;
      }
      restarts++;
      log(JSON.stringify({ level: 'info', service: 'azurite', pid: child.pid, attempt: attempt + 1, restarts, msg: 'azurite restarted' }));
      supervise(child);
    } catch {
      if (stopped) return;
      if (attempt + 1 >= MAX_RESTART_ATTEMPTS) {
        log(JSON.stringify({ level: 'error', service: 'azurite', attempts: attempt + 1, msg: 'azurite could not be restarted; giving up' }));
        return;
      }
      log(JSON.stringify({ level: 'warn', service: 'azurite', attempt: attempt + 1, msg: 'azurite restart failed; trying again' }));
      await restart(attempt + 1);
    }
  };
  supervise(child);

  return {
    connectionString: azuriteConnectionString(ports.blob, ports.queue),
    blobPort: ports.blob,
    queuePort: ports.queue,
    get pid() {
      return child.pid;
    },
    get restarts() {
      return restarts;
    },
    stop: () => {
      stopped = true;
      process.off('exit', killOnExit);
      return stopChild(child);
    },
  };
}

const FIRST_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5000;
const MAX_RESTART_ATTEMPTS = 30;

/** One Azurite child process, resolved once blob and queue listen (with the ports they listen on). */
async function spawnAzurite(options: AzuriteOptions, onSpawn?: (child: ChildProcess) => void): Promise<{ child: ChildProcess; ports: { blob: number; queue: number } }> {
  const cli = require.resolve('azurite/dist/src/azurite.js');
  const child = spawn(
    process.execPath,
    [
      cli,
      '--blobPort', String(options.blobPort),
      '--queuePort', String(options.queuePort),
      '--tablePort', '0',
      '--location', options.location,
      // Current storage SDKs send an API version newer than Azurite knows.
      '--skipApiVersionCheck',
      '--silent',
      '--disableTelemetry',
      '--loose',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  onSpawn?.(child);

  const ports = await new Promise<{ blob: number; queue: number }>((resolve, reject) => {
    let output = '';
    let blob: number | undefined;
    let queue: number | undefined;
    let settled = false;
    const timer = setTimeout(() => fail(new Error(`Azurite did not start within ${options.startTimeoutMs ?? 15000} ms`)), options.startTimeoutMs ?? 15000);
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${error.message}. Azurite said: ${output.trim().slice(-600)}`));
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      blob ??= match(output, /Blob service is successfully listening at http:\/\/[^:]+:(\d+)/);
      queue ??= match(output, /Queue service is successfully listening at http:\/\/[^:]+:(\d+)/);
      if (blob !== undefined && queue !== undefined) {
        settled = true;
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.off('exit', onExit);
        resolve({ blob, queue });
      }
    };
    const onExit = (code: number | null) => fail(new Error(`Azurite exited with code ${code} (is port ${options.blobPort} or ${options.queuePort} in use? set AZURITE_BLOB_PORT/AZURITE_QUEUE_PORT)`));
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', onExit);
    child.once('error', fail);
  });
  // Keep draining output so the child never blocks on a full pipe.
  child.stdout?.resume();
  child.stderr?.resume();
  return { child, ports };
}

function match(text: string, re: RegExp): number | undefined {
  const m = re.exec(text);
  return m ? Number(m[1]) : undefined;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.removeAllListeners('exit');
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
