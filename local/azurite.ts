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
}

/** A running Azurite child process on loopback. */
export interface AzuriteInstance {
  connectionString: string;
  blobPort: number;
  queuePort: number;
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

  const ports = await new Promise<{ blob: number; queue: number }>((resolve, reject) => {
    let output = '';
    let blob: number | undefined;
    let queue: number | undefined;
    const timer = setTimeout(() => fail(new Error(`Azurite did not start within ${options.startTimeoutMs ?? 15000} ms`)), options.startTimeoutMs ?? 15000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${error.message}. Azurite said: ${output.trim().slice(-600)}`));
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      blob ??= match(output, /Blob service is successfully listening at http:\/\/[^:]+:(\d+)/);
      queue ??= match(output, /Queue service is successfully listening at http:\/\/[^:]+:(\d+)/);
      if (blob !== undefined && queue !== undefined) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve({ blob, queue });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => fail(new Error(`Azurite exited with code ${code} (is port ${options.blobPort} or ${options.queuePort} in use? set AZURITE_BLOB_PORT/AZURITE_QUEUE_PORT)`)));
    child.once('error', fail);
  });
  // Keep draining output so the child never blocks on a full pipe.
  child.stdout?.resume();
  child.stderr?.resume();
  // If this process ends without stop() (an uncaught error, process.exit), Azurite must not outlive
  // it holding the ports; kill() is synchronous, so it works inside an 'exit' handler.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  return {
    connectionString: azuriteConnectionString(ports.blob, ports.queue),
    blobPort: ports.blob,
    queuePort: ports.queue,
    stop: () => {
      process.off('exit', killOnExit);
      return stopChild(child);
    },
  };
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
