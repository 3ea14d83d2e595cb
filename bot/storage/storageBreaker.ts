import { BrokenCircuitError, ConsecutiveBreaker, TaskCancelledError, TimeoutStrategy, circuitBreaker, handleWhen, timeout, wrap, type IPolicy } from 'cockatiel';

/**
 * Storage did not answer (no connection, a 5xx, a timeout) or its circuit is open: the named failure
 * the turn error handler turns into "I can't save right now". Carries no message from the SDK
 * (whose messages hold URLs).
 */
export class StorageUnavailableError extends Error {
  readonly statusCode = 503;
  constructor(readonly code: 'StorageUnreachable' | 'StorageTimeout' | 'CircuitOpen' | 'StorageServerError') {
    super(`Storage is unavailable (${code})`);
    this.name = 'StorageUnavailableError';
  }
}

export interface StorageBreakerOptions {
  /** Longest one storage operation may take before it is abandoned (its request aborted). */
  timeoutMs?: number;
  /** Consecutive outages that open the circuit. */
  failures?: number;
  /** How long an open circuit fails operations at once before one may test storage again. */
  halfOpenAfterMs?: number;
}

/**
 * One circuit breaker (and timeout) for all of the bot's blob storage: state, records and ledger
 * share it, so once storage is seen dead every turn fails at once with StorageUnavailableError
 * instead of paying the SDK's retries; after `halfOpenAfterMs` one operation tests it again and,
 * when it answers, the circuit closes (the SDK clients reconnect by themselves).
 * Answers that are not outages (404, 409, 412) pass through unchanged and do not count.
 */
export class StorageBreaker {
  private readonly policy: IPolicy;

  constructor(options: StorageBreakerOptions = {}) {
    const breaker = circuitBreaker(handleWhen(isStorageOutage), {
      halfOpenAfter: options.halfOpenAfterMs ?? 2000,
      breaker: new ConsecutiveBreaker(options.failures ?? 3),
    });
    this.policy = wrap(breaker, timeout(options.timeoutMs ?? 4000, TimeoutStrategy.Aggressive));
  }

  /** Runs one storage operation; `signal` aborts its request when the operation's time is up. */
  async execute<T>(operation: (signal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      return await this.policy.execute(({ signal }) => operation(signal));
    } catch (error) {
      throw asStorageFailure(error);
    }
  }
}

/** A storage SDK error (or timeout) that says storage is down: no HTTP answer, or a 5xx. */
export function isStorageOutage(error: unknown): boolean {
  if (error instanceof StorageUnavailableError || error instanceof TaskCancelledError) return true;
  if (!error || typeof error !== 'object') return false;
  const { statusCode, name } = error as { statusCode?: unknown; name?: unknown };
  if (typeof statusCode === 'number') return statusCode >= 500;
  // RestError without a status: the request got no answer (ECONNREFUSED, reset, aborted).
  return name === 'RestError' || name === 'AbortError';
}

function asStorageFailure(error: unknown): unknown {
  if (error instanceof StorageUnavailableError) return error;
  if (error instanceof BrokenCircuitError) return new StorageUnavailableError('CircuitOpen');
  if (error instanceof TaskCancelledError || (error as { name?: unknown } | null)?.name === 'AbortError') return new StorageUnavailableError('StorageTimeout');
  if (isStorageOutage(error)) {
    const status = (error as { statusCode?: unknown }).statusCode;
    return new StorageUnavailableError(typeof status === 'number' ? 'StorageServerError' : 'StorageUnreachable');
  }
  return error;
}

/** What the blob stores run their requests through: the breaker, or nothing. */
export interface StorageGuard {
  execute<T>(operation: (signal: AbortSignal) => Promise<T>): Promise<T>;
}

/** No breaker, no timeout (tests and callers that bring their own). */
export const UNGUARDED: StorageGuard = { execute: (operation) => operation(new AbortController().signal) };
