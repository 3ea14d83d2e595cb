/**
 * How the gateway talks to Microsoft Graph: one SDK client per customer tenant, every call run
 * through one cockatiel policy (timeout ⟶ retry ⟶ circuit breaker), JSON batches, paging and
 * the mapping of every failure to a typed GraphError. The only file that imports the Graph SDK.
 */
import {
  AuthenticationHandler,
  Client,
  HTTPMessageHandler,
  RedirectHandler,
  RedirectHandlerOptions,
  GraphError as SdkGraphError,
  TelemetryHandler,
  type AuthenticationProvider,
  type GraphRequest,
} from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials';
import {
  BrokenCircuitError,
  ConsecutiveBreaker,
  ExponentialBackoff,
  TaskCancelledError,
  TimeoutStrategy,
  circuitBreaker,
  handleWhen,
  retry,
  timeout,
  type FailureReason,
  type IBackoff,
  type IBackoffFactory,
  type CircuitBreakerPolicy,
  type IRetryBackoffContext,
} from 'cockatiel';
import { z } from 'zod';
import type { CredentialFactory } from './credentials';
import { GraphError, type CallOptions } from './tenantDirectory';

const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Most pages followed through @odata.nextLink for one collection (Graph pages directory objects by 100). */
const MAX_PAGES = 10;
/** Answers Graph asks to retry later, inside a batch as outside. */
const THROTTLED = new Set([429, 503, 504]);

export interface GraphTransportOptions {
  /** Base URL without the version, e.g. https://graph.microsoft.com; `{tenantId}` is replaced per tenant. */
  baseUrl: string;
  credentials: CredentialFactory;
  /** The whole budget of one call, its retries and their waits included; the request in flight is aborted when it runs out. */
  timeoutMs?: number;
  /** Tries after the first for a throttled (429/503/504) or unanswered (network error) request, batches' inner requests included. */
  retries?: number;
  /** Longest single wait: a Retry-After longer than this is not waited for (the 429 is thrown with it). */
  maxRetryWaitSeconds?: number;
  /** Consecutive outages (no answer, 5xx, timeout) of one tenant's endpoint that open its circuit. */
  breakerFailures?: number;
  /** How long an open circuit fails calls at once (GraphError 503 CircuitOpen) before one call may test it again. */
  breakerCooldownMs?: number;
}

/** One Graph request, in the transport's terms: only this file knows how the SDK sends it. */
export interface GraphCall {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Below the version, e.g. '/users/…/events'; a query may follow. */
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface BatchStep {
  id: string;
  method: 'GET';
  url: string;
}

const batchSchema = z.object({
  responses: z.array(z.object({ id: z.string(), status: z.number(), headers: z.record(z.string(), z.string()).nullish(), body: z.unknown() })),
});
export type BatchResponse = z.infer<typeof batchSchema>['responses'][number];

interface TenantEndpoint {
  client: Client;
  /** Shared by every call to the tenant's endpoint, so its outages add up. */
  breaker: CircuitBreakerPolicy;
}

/** Graph's requests and answers for every tenant, with one resilience policy per tenant endpoint. */
export class GraphTransport {
  private readonly endpoints = new Map<string, TenantEndpoint>();
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly maxRetryWaitSeconds: number;
  private readonly breakerFailures: number;
  private readonly breakerCooldownMs: number;

  constructor(private readonly options: GraphTransportOptions) {
    this.timeoutMs = options.timeoutMs ?? 20_000;
    this.retries = options.retries ?? 3;
    this.maxRetryWaitSeconds = options.maxRetryWaitSeconds ?? 10;
    this.breakerFailures = options.breakerFailures ?? 5;
    this.breakerCooldownMs = options.breakerCooldownMs ?? 30_000;
  }

  /** Sends one request through the tenant's policy; resolves to Graph's parsed JSON answer (undefined for none). */
  async request(tenantId: string, call: GraphCall, options: CallOptions = {}): Promise<unknown> {
    const { client } = this.endpointFor(tenantId);
    return this.run(tenantId, options, (signal) => send(client, call, signal));
  }

  /**
   * Sends steps as one JSON batch. Inner requests Graph throttled (429/503/504) go again, alone,
   * through the same retry policy as any call (their Retry-After honoured); other answers are
   * returned as they are, for the caller to read with `bodyOf`.
   */
  async batch(tenantId: string, steps: BatchStep[], options: CallOptions = {}): Promise<Map<string, BatchResponse>> {
    const { client } = this.endpointFor(tenantId);
    const results = new Map<string, BatchResponse>();
    let pending = steps;
    await this.run(tenantId, options, async (signal) => {
      const { responses } = parse(batchSchema, await send(client, { method: 'POST', path: '/$batch', body: { requests: pending } }, signal));
      const throttled: BatchResponse[] = [];
      for (const step of pending) {
        const response = responses.find((x) => x.id === step.id);
        if (!response) throw new GraphError(502, 'BatchResponseMissing', `Graph's batch answer had no response for step ${step.id}`);
        if (THROTTLED.has(response.status)) throttled.push(response);
        else results.set(step.id, response);
      }
      if (throttled.length === 0) return;
      pending = pending.filter((step) => throttled.some((t) => t.id === step.id));
      // One error for the throttled steps: the worst status, the longest wait asked.
      const status = throttled.some((t) => t.status === 429) ? 429 : throttled[0]!.status;
      const waits = throttled.flatMap((t) => retryAfter(t.headers) ?? []);
      throw new GraphError(status, errorCode(throttled.find((t) => t.status === status)!.body), `Graph throttled ${throttled.length} requests of the batch`, waits.length > 0 ? Math.max(...waits) : undefined);
    });
    return results;
  }

  /**
   * GETs a collection and follows its @odata.nextLink (at most MAX_PAGES pages). A next link must
   * point below the tenant's own base URL and version; it is then sent through the same client.
   */
  async getAllPages<T>(tenantId: string, url: string, schema: z.ZodType<{ value: T[]; '@odata.nextLink'?: string | null | undefined }>): Promise<T[]> {
    const items: T[] = [];
    let next: string | undefined = url;
    for (let page = 0; next !== undefined; page++) {
      if (page >= MAX_PAGES) throw new GraphError(502, 'TooManyPages', `Graph's answer ran to more than ${MAX_PAGES} pages`);
      const path: string = next;
      const body = parse(schema, await this.request(tenantId, { method: 'GET', path }));
      items.push(...body.value);
      next = body['@odata.nextLink'] ? this.relativeToVersion(tenantId, body['@odata.nextLink']) : undefined;
    }
    return items;
  }

  async ping(signal?: AbortSignal): Promise<boolean> {
    try {
      // Any HTTP answer from the host means it is reachable; auth is per tenant and not tested here.
      const timeout = AbortSignal.timeout(2000);
      await fetch(new URL(this.options.baseUrl.replace('{tenantId}', 'ping')).origin, { method: 'HEAD', signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Runs one call through timeout ⟶ retry ⟶ the tenant's circuit breaker. Each attempt gets the
   * timeout's signal, which aborts its HTTP request when the budget runs out or the caller cancels;
   * no retry waits past the budget.
   */
  private async run<T>(tenantId: string, options: CallOptions, attempt: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const { breaker } = this.endpointFor(tenantId);
    const caller = options.signal;
    const deadline = Date.now() + this.timeoutMs;
    const stopped = (): GraphError =>
      caller?.aborted ? new GraphError(0, 'Cancelled', 'The caller cancelled the Graph request') : new GraphError(504, 'Timeout', `Graph did not answer within ${this.timeoutMs} ms`);
    const maxWaitMs = this.maxRetryWaitSeconds * 1000;
    // A Retry-After longer than the longest wait, or than what is left of the call's budget, is not
    // waited out (the turn would only time out at its end): the throttled answer is thrown at once.
    const retryable = (e: Error): boolean =>
      e instanceof GraphError &&
      (THROTTLED.has(e.status) || e.code === 'NetworkError') &&
      (e.retryAfterSeconds ?? 0) * 1000 <= maxWaitMs &&
      Date.now() + (e.retryAfterSeconds ?? 0) * 1000 < deadline;
    const retries = retry(handleWhen(retryable), {
      maxAttempts: this.retries,
      backoff: new RetryAfterBackoff(new ExponentialBackoff({ initialDelay: 250, maxDelay: maxWaitMs }), deadline),
    });
    try {
      // Cooperative: the attempt itself gives up the moment its signal aborts, so the breaker has
      // counted the timeout before the caller hears of it.
      return await timeout(this.timeoutMs, TimeoutStrategy.Cooperative).execute(
        ({ signal }) =>
          retries.execute(() => {
            // A retry whose wait reached the end of the budget: nothing more is sent (nor counted by the breaker).
            if (signal.aborted) throw stopped();
            return breaker.execute(async () => {
              try {
                return await untilAborted(attempt(signal), signal);
              } catch (error) {
                throw signal.aborted ? stopped() : toGraphError(error);
              }
            });
          }, signal),
        caller,
      );
    } catch (error) {
      if (error instanceof BrokenCircuitError) throw new GraphError(503, 'CircuitOpen', 'Graph failed repeatedly for this tenant; calls fail at once for a while');
      if (error instanceof TaskCancelledError) throw stopped();
      throw toGraphError(error);
    }
  }

  /** '/users/…?$skiptoken=…' for a next link under the tenant's base URL and version; GraphError otherwise. */
  private relativeToVersion(tenantId: string, link: string): string {
    const root = new URL(`${this.baseUrlFor(tenantId)}/v1.0/`);
    let target: URL;
    try {
      target = new URL(link);
    } catch {
      throw new GraphError(502, 'UnexpectedNextLink', 'Graph returned a next link that is not a URL');
    }
    if (target.origin !== root.origin || !target.pathname.startsWith(root.pathname)) {
      throw new GraphError(502, 'UnexpectedNextLink', 'Graph returned a next link outside the Graph endpoint');
    }
    return `/${target.pathname.slice(root.pathname.length)}${target.search}`;
  }

  private baseUrlFor(tenantId: string): string {
    return this.options.baseUrl.replace('{tenantId}', tenantId).replace(/\/+$/, '');
  }

  private endpointFor(tenantId: string): TenantEndpoint {
    if (!GUID.test(tenantId)) throw new GraphError(400, 'InvalidTenantId', 'The tenant id is not a GUID');
    let endpoint = this.endpoints.get(tenantId);
    if (!endpoint) {
      const breaker = circuitBreaker(handleWhen(isOutage), { halfOpenAfter: this.breakerCooldownMs, breaker: new ConsecutiveBreaker(this.breakerFailures) });
      endpoint = { client: this.clientFor(tenantId), breaker };
      this.endpoints.set(tenantId, endpoint);
    }
    return endpoint;
  }

  private clientFor(tenantId: string): Client {
    const baseUrl = this.baseUrlFor(tenantId);
    const credential = this.options.credentials(tenantId);
    const authProvider: AuthenticationProvider = credential
      ? new TokenCredentialAuthenticationProvider(credential, { scopes: [GRAPH_SCOPE] })
      : { getAccessToken: async () => '' };
    const host = new URL(baseUrl).hostname;
    return Client.initWithMiddleware({
      // The SDK's default chain without its RetryHandler: retries are the policy's alone, so they never stack.
      middleware: [new AuthenticationHandler(authProvider), new RedirectHandler(new RedirectHandlerOptions()), new TelemetryHandler(), new HTTPMessageHandler()],
      baseUrl,
      defaultVersion: 'v1.0',
      // Tokens are only attached to Graph's own hosts or the ones listed here (e.g. national clouds).
      ...(credential && baseUrl.startsWith('https:') && host !== 'graph.microsoft.com' ? { customHosts: new Set([host]) } : {}),
    });
  }
}

/**
 * Waits as long as Graph's Retry-After asks; without one, exponential backoff with decorrelated
 * jitter. Never past the call's deadline: a wait that reaches it ends there, and the call with it.
 */
class RetryAfterBackoff implements IBackoffFactory<IRetryBackoffContext<unknown>> {
  constructor(
    private readonly fallback: IBackoffFactory<unknown>,
    private readonly deadline: number,
  ) {}

  next(context: IRetryBackoffContext<unknown>): IBackoff<IRetryBackoffContext<unknown>> {
    const fallback = this.fallback.next(context);
    const asked = retryAfterOf(context.result);
    const wait = asked !== undefined ? asked * 1000 : fallback.duration;
    return { duration: Math.max(0, Math.min(wait, this.deadline - Date.now())), next: (c) => new RetryAfterBackoff(fallback, this.deadline).next(c) };
  }
}

/** The work's outcome, or a rejection the moment the signal aborts (a step that ignores the signal cannot outlive it). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function retryAfterOf(result: FailureReason<unknown>): number | undefined {
  return 'error' in result && result.error instanceof GraphError ? result.error.retryAfterSeconds : undefined;
}

/** Failures that say the endpoint is down (no answer, 5xx, a timeout), which count towards opening its circuit. */
function isOutage(error: Error): boolean {
  return error instanceof GraphError && (error.status === 0 || error.status >= 500) && !['Cancelled', 'UnexpectedResponse', 'BatchResponseMissing'].includes(error.code);
}

async function send(client: Client, call: GraphCall, signal: AbortSignal): Promise<unknown> {
  const request: GraphRequest = client.api(call.path).option('signal', signal);
  if (call.headers) request.headers(call.headers);
  switch (call.method) {
    case 'GET':
      return (await request.get()) as unknown;
    case 'POST':
      return (await request.post(call.body)) as unknown;
    case 'PATCH':
      return (await request.patch(call.body)) as unknown;
    case 'DELETE':
      return (await request.delete()) as unknown;
  }
}

/** The body of one batch step's answer; GraphError for an error answer. */
export function bodyOf(responses: Map<string, BatchResponse>, id: string): unknown {
  const response = responses.get(id)!;
  if (response.status === 401 && errorCode(response.body) === 'Authorization_IdentityNotFound') throw CONSENT_REQUIRED();
  if (response.status >= 300) throw new GraphError(response.status, errorCode(response.body), `Graph answered ${response.status} for ${id}`, retryAfter(response.headers));
  return response.body;
}

/** Graph answers are untrusted input too: GraphError 502 when one does not have the shape used. */
export function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new GraphError(502, 'UnexpectedResponse', `Graph's answer did not have the expected shape at ${result.error.issues[0]?.path.join('.') ?? '?'}`);
  return result.data;
}

function errorCode(body: unknown): string {
  const code = z.object({ error: z.object({ code: z.string() }) }).safeParse(body);
  return code.success ? code.data.error.code : 'UnknownError';
}

function retryAfter(headers: Record<string, string> | null | undefined): number | undefined {
  const value = Object.entries(headers ?? {}).find(([k]) => k.toLowerCase() === 'retry-after')?.[1];
  const seconds = value === undefined ? NaN : Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

/**
 * Entra's answers when the Graph app has no consent (no service principal) in a tenant: the token
 * request fails with one of these (AADSTS650051: consent needed; AADSTS7000229: no service principal;
 * AADSTS65001: no consent; AADSTS700016: app not found in the directory).
 */
const CONSENT_MISSING = /AADSTS(650051|7000229|65001|700016)\b/;

/** True when a failure means "the Graph app has no consent there": a token request refused, or Graph's 401 for an unknown app identity. */
function isConsentMissing(status: number, code: string | undefined, text: string): boolean {
  if (CONSENT_MISSING.test(text)) return true;
  return status === 401 && code === 'Authorization_IdentityNotFound';
}

const CONSENT_REQUIRED = (): GraphError => new GraphError(401, 'ConsentRequired', 'The Graph app has no admin consent in this tenant');

/** Maps anything the SDK or the network throws to GraphError, without response bodies or tokens. */
export function toGraphError(error: unknown): GraphError {
  if (error instanceof GraphError) return error;
  if (error instanceof SdkGraphError) {
    const status = error.statusCode > 0 ? error.statusCode : 0;
    // A token request refused for want of consent reaches here as a status-less SDK error whose body is the credential's error text.
    if (isConsentMissing(status, error.code ?? undefined, `${error.message} ${typeof error.body === 'string' ? error.body : ''}`)) return CONSENT_REQUIRED();
    // Without a status the SDK names the fetch failure's JavaScript class (TypeError): no answer is a network error.
    const code = status === 0 ? 'NetworkError' : (error.code ?? 'UnknownError');
    const header = error.headers?.get('retry-after');
    const seconds = header ? Number(header) : NaN;
    return new GraphError(status, code, `Graph request failed with ${status || 'no answer'} ${code}`, Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined);
  }
  const name = error instanceof Error ? error.name : 'Error';
  // @azure/identity's AuthenticationError (a token request refused) carries the AADSTS code in its message.
  if (error instanceof Error && isConsentMissing(0, undefined, error.message)) return CONSENT_REQUIRED();
  return new GraphError(0, 'NetworkError', `Graph could not be reached (${name})`);
}
