/**
 * Injected faults: throttling, outages and latency on chosen Graph paths, for tests and demos.
 */

interface FaultSpecBase {
  /** Only requests with this method (any case); all methods when absent. */
  method?: string;
  /**
   * Matched against the Graph path after the version, without the query: a string matches the
   * whole path (case-insensitive, e.g. '/organization'); a RegExp is tested against it
   * (e.g. /^\/users\/[^/]+$/). '/$batch' matches the outer batch POST.
   */
  path: string | RegExp;
  /** Only requests to this tenant; all tenants when absent. */
  tenantId?: string;
  /** Sent as a Retry-After header (seconds). */
  retryAfterSeconds?: number;
  /** How many matching requests it affects; default 1, Infinity allowed. */
  times?: number;
  /**
   * true: only inner requests of a $batch; false: only direct calls (including the outer
   * $batch POST); absent: both.
   */
  insideBatch?: boolean;
  /** The Graph error code in the body; a default per status when absent (e.g. TooManyRequests for 429). */
  code?: string;
  /** The Graph error message in the body. */
  message?: string;
  /**
   * true: the request is processed first (an event is created, a change saved), then the error is
   * answered instead of the real answer, as when Graph did the work but the answer was lost
   * (a gateway timeout). Only with an error status. Default false: the request is never processed.
   */
  afterHandler?: boolean;
}

/**
 * A fault: an error status, a delay, or both. A status of 200 (or none) with `latencyMs`
 * means "wait, then answer normally".
 */
export type FaultSpec = FaultSpecBase & ({ status: number; latencyMs?: number } | { status?: number; latencyMs: number });

/** What a request runs into: a delay first, then possibly an error answer instead of the real one. */
export interface FaultOutcome {
  latencyMs: number;
  /** `afterHandler`: the request is processed, then this answer replaces the real one. */
  answer?: { status: number; retryAfterSeconds?: number; code: string; message: string; afterHandler: boolean };
}

export interface FaultTarget {
  tenantId: string;
  method: string;
  /** Decoded Graph path after the version, without the query, e.g. '/users/megan@contoso.com'. */
  path: string;
  /** True for an inner request of a $batch. */
  viaBatch: boolean;
}

interface ActiveFault {
  spec: FaultSpec;
  remaining: number;
}

const DEFAULT_CODES: Record<number, [code: string, message: string]> = {
  400: ['BadRequest', 'The request is invalid (injected fault).'],
  401: ['InvalidAuthenticationToken', 'Access token validation failure (injected fault).'],
  403: ['Authorization_RequestDenied', 'Insufficient privileges to complete the operation (injected fault).'],
  404: ['Request_ResourceNotFound', 'The resource does not exist (injected fault).'],
  409: ['Conflict', 'The request conflicts with the current state of the resource (injected fault).'],
  412: ['PreconditionFailed', 'A precondition of the request failed (injected fault).'],
  429: ['TooManyRequests', 'Too many requests; retry after the time in the Retry-After header (injected fault).'],
  500: ['InternalServerError', 'An internal server error occurred (injected fault).'],
  502: ['BadGateway', 'The gateway received an invalid response (injected fault).'],
  503: ['ServiceUnavailable', 'The service is temporarily unavailable; retry later (injected fault).'],
  504: ['GatewayTimeout', 'The gateway timed out (injected fault).'],
};

/** The active faults, in the order they were injected. */
export class FaultTable {
  private faults: ActiveFault[] = [];

  /** Adds a fault after checking it; throws a TypeError naming the bad field. */
  add(spec: FaultSpec): void {
    validate(spec);
    this.faults.push({ spec: { ...spec }, remaining: spec.times ?? 1 });
  }

  clear(): void {
    this.faults = [];
  }

  /** The active faults with their remaining uses, in a JSON-friendly form. */
  list(): Array<Record<string, unknown>> {
    return this.faults.map(({ spec, remaining }) => ({
      ...spec,
      path: spec.path instanceof RegExp ? spec.path.source : spec.path,
      ...(spec.times !== undefined ? { times: Number.isFinite(spec.times) ? spec.times : 'Infinity' } : {}),
      remaining: Number.isFinite(remaining) ? remaining : 'Infinity',
    }));
  }

  /**
   * Consumes the faults a request runs into: every matching delay adds up, and the first
   * matching error decides the answer. Error faults after it stay for later requests.
   */
  take(target: FaultTarget): FaultOutcome {
    const outcome: FaultOutcome = { latencyMs: 0 };
    for (const fault of this.faults) {
      if (!matches(fault.spec, target)) continue;
      const answers = isError(fault.spec.status);
      if (answers && outcome.answer) continue;
      fault.remaining -= 1;
      outcome.latencyMs += fault.spec.latencyMs ?? 0;
      if (answers) {
        const status = fault.spec.status!;
        const [code, message] = DEFAULT_CODES[status] ?? ['UnknownError', `Injected fault ${status}.`];
        outcome.answer = {
          status,
          code: fault.spec.code ?? code,
          message: fault.spec.message ?? message,
          afterHandler: fault.spec.afterHandler === true,
          ...(fault.spec.retryAfterSeconds !== undefined ? { retryAfterSeconds: fault.spec.retryAfterSeconds } : {}),
        };
      }
    }
    this.faults = this.faults.filter((f) => f.remaining > 0);
    return outcome;
  }
}

/**
 * A FaultSpec from JSON (the HTTP control API): `path` is a string, and one starting with '^'
 * is a regular expression; `times` may be the string "Infinity".
 */
export function faultFromJson(value: unknown): FaultSpec {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError('A fault must be a JSON object');
  const o = value as Record<string, unknown>;
  if (typeof o.path !== 'string') throw new TypeError('fault.path must be a string');
  let path: string | RegExp = o.path;
  if (o.path.startsWith('^')) {
    try {
      path = new RegExp(o.path);
    } catch {
      throw new TypeError('fault.path starts with ^ but is not a valid regular expression');
    }
  }
  const spec: Record<string, unknown> = { path };
  for (const key of ['method', 'tenantId', 'code', 'message'] as const) {
    if (o[key] === undefined || o[key] === null) continue;
    if (typeof o[key] !== 'string') throw new TypeError(`fault.${key} must be a string`);
    spec[key] = o[key];
  }
  for (const key of ['status', 'retryAfterSeconds', 'latencyMs'] as const) {
    if (o[key] === undefined || o[key] === null) continue;
    if (typeof o[key] !== 'number') throw new TypeError(`fault.${key} must be a number`);
    spec[key] = o[key];
  }
  if (o.times !== undefined && o.times !== null) {
    if (o.times === 'Infinity') spec.times = Infinity;
    else if (typeof o.times === 'number') spec.times = o.times;
    else throw new TypeError('fault.times must be a number or "Infinity"');
  }
  for (const key of ['insideBatch', 'afterHandler'] as const) {
    if (o[key] === undefined || o[key] === null) continue;
    if (typeof o[key] !== 'boolean') throw new TypeError(`fault.${key} must be a boolean`);
    spec[key] = o[key];
  }
  const fault = spec as unknown as FaultSpec;
  validate(fault);
  return fault;
}

function validate(spec: FaultSpec): void {
  if (!(spec.path instanceof RegExp) && (typeof spec.path !== 'string' || spec.path.trim() === '')) {
    throw new TypeError('fault.path must be a non-empty string or a RegExp');
  }
  if (spec.status === undefined && spec.latencyMs === undefined) throw new TypeError('A fault needs a status, a latencyMs, or both');
  if (spec.status !== undefined && (!Number.isInteger(spec.status) || spec.status < 200 || spec.status > 599)) {
    throw new TypeError('fault.status must be an integer HTTP status from 200 to 599');
  }
  if (spec.latencyMs !== undefined && !(Number.isFinite(spec.latencyMs) && spec.latencyMs >= 0)) {
    throw new TypeError('fault.latencyMs must be a finite number >= 0');
  }
  if (spec.retryAfterSeconds !== undefined && !(Number.isInteger(spec.retryAfterSeconds) && spec.retryAfterSeconds >= 0)) {
    throw new TypeError('fault.retryAfterSeconds must be an integer >= 0');
  }
  if (spec.afterHandler !== undefined && typeof spec.afterHandler !== 'boolean') throw new TypeError('fault.afterHandler must be a boolean');
  if (spec.afterHandler === true && !isError(spec.status)) {
    throw new TypeError('fault.afterHandler needs an error status: it replaces the answer of a request that was processed');
  }
  if (spec.times !== undefined && !(spec.times === Infinity || (Number.isInteger(spec.times) && spec.times >= 1))) {
    throw new TypeError('fault.times must be an integer >= 1 or Infinity');
  }
}

/** Statuses outside 2xx replace the real answer; 2xx ones (with latency) only delay it. */
function isError(status: number | undefined): boolean {
  return status !== undefined && (status < 200 || status > 299);
}

function matches(spec: FaultSpec, target: FaultTarget): boolean {
  if (spec.insideBatch !== undefined && spec.insideBatch !== target.viaBatch) return false;
  if (spec.method && spec.method.toUpperCase() !== target.method.toUpperCase()) return false;
  if (spec.tenantId && spec.tenantId.toLowerCase() !== target.tenantId.toLowerCase()) return false;
  if (spec.path instanceof RegExp) {
    spec.path.lastIndex = 0; // a /g or /y pattern keeps state between tests
    return spec.path.test(target.path);
  }
  return normalizePath(spec.path) === normalizePath(target.path);
}

function normalizePath(path: string): string {
  const trimmed = (path.split('?')[0] ?? '').trim().replace(/\/+$/, '');
  return (trimmed.startsWith('/') ? trimmed : `/${trimmed}`).toLowerCase();
}
