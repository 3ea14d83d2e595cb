/**
 * Liveness and readiness. Liveness (`/healthz`) is the process answering, nothing else: App Service
 * restarts an instance that fails it, so it must never wait on Graph or storage. Readiness (`/readyz`)
 * checks each dependency with a short timeout and caches the result, so a burst of probes costs one
 * round trip per dependency and a dead dependency costs at most the timeout.
 */

/** One dependency's check: resolves true when it answers; may honour the signal. */
export type Check = (signal: AbortSignal) => Promise<boolean>;

export interface Readiness {
  status: 'ready' | 'degraded';
  /** Each dependency: 'up', or 'down' (answered wrongly, failed or timed out). */
  checks: Record<string, 'up' | 'down'>;
  version: string;
}

export interface ReadinessOptions {
  checks: Record<string, Check>;
  version: string;
  /** Each check's limit (default 2 s). */
  timeoutMs?: number;
  /** How long a result is reused (default 5 s). */
  cacheMs?: number;
  now?: () => number;
}

/** Runs the checks in parallel, each bounded by its timeout; one run at a time, its result cached. */
export class ReadinessProbe {
  private cached: { at: number; result: Readiness } | undefined;
  private running: Promise<Readiness> | undefined;

  constructor(private readonly options: ReadinessOptions) {}

  check(): Promise<Readiness> {
    const now = (this.options.now ?? Date.now)();
    if (this.cached && now - this.cached.at < (this.options.cacheMs ?? 5000)) return Promise.resolve(this.cached.result);
    this.running ??= this.run().finally(() => (this.running = undefined));
    return this.running;
  }

  private async run(): Promise<Readiness> {
    const timeoutMs = this.options.timeoutMs ?? 2000;
    const entries = await Promise.all(
      Object.entries(this.options.checks).map(async ([name, check]) => [name, (await bounded(check, timeoutMs)) ? 'up' : 'down'] as const),
    );
    const checks = Object.fromEntries(entries);
    const result: Readiness = { status: entries.every(([, s]) => s === 'up') ? 'ready' : 'degraded', checks, version: this.options.version };
    this.cached = { at: (this.options.now ?? Date.now)(), result };
    return result;
  }
}

/** A check that does not answer within the limit counts as down (and is aborted). */
async function bounded(check: Check, timeoutMs: number): Promise<boolean> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve(false);
    }, timeoutMs);
  });
  try {
    return await Promise.race([check(controller.signal).catch(() => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
