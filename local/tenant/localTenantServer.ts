/**
 * The local tenant: a small Graph-compatible HTTP server over seeded demo tenants, for local
 * development and tests. The bot's real Graph client reaches it with
 * `baseUrl = {root}/tenants/{tenantId}` and `defaultVersion = 'v1.0'`; no Authorization header
 * is expected (the SDK sends none over plain http).
 *
 * Besides Graph, it answers a control API for tests and separately running processes:
 * `GET /_local/ping`, `GET|DELETE /_local/requests`, `GET|POST|DELETE /_local/faults`,
 * `POST /_local/reset`, `GET /_local/tenants`, `POST|DELETE /_local/consent?tenantId=…` (grant or
 * revoke the Graph app's consent in a tenant), `GET /_local/login/{tenantId}/v2.0/adminconsent` (the
 * local stand-in of the admin-consent link: grants it), `POST /_local/relationships/end?partnerTenantId=…&customerTenantId=…&how=terminated|expired`.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultTable, faultFromJson, type FaultOutcome, type FaultSpec } from './faults';
import { graphError, routeGraphRequest, type GraphResult } from './graphRoutes';
import { LocalSubscriptions, type LifecycleEvent, type LocalSubscription } from './subscriptions';
import { CONSENT_MISSING } from './partners';
import { defaultSeed, type LocalTenantSeed, type SeedTenant } from './seed';

export type { FaultSpec } from './faults';
export type { LocalTenantSeed } from './seed';

/** One HTTP request the server received (or one inner request of a $batch). */
export interface RecordedRequest {
  /** ISO timestamp of arrival. */
  at: string;
  tenantId: string;
  method: string;
  /** The Graph path after the version, decoded, with its query, e.g. '/users/megan@contoso.com?$select=mail'. */
  path: string;
  /** True for an inner request of a $batch. */
  viaBatch: boolean;
  /** Shared by an outer $batch POST and its inner requests. */
  batchId?: string;
  /** The inner request's own id within its batch. */
  batchRequestId?: string;
  /** The JSON body of a POST, PATCH or PUT (not of the outer $batch POST: its inner requests carry theirs). */
  body?: unknown;
}

export interface LocalTenantServerOptions {
  /** The tenants to serve; the built-in demo tenants (seed.ts) when absent. */
  seed?: LocalTenantSeed;
  /** Called once per Graph request answered and on unexpected errors; nothing is logged without it. */
  log?: (msg: string, fields: object) => void;
  /**
   * Objects per page of directory-object collections (users, memberOf, role members); Graph's 100
   * when absent. A small value makes the server answer with `@odata.nextLink`, to test paging.
   */
  pageSize?: number;
}

interface TenantState {
  id: string;
  tenant: SeedTenant;
}

interface Ids {
  requestId: string;
  clientRequestId: string;
}

const JSON_CONTENT_TYPE = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';
const MAX_BODY_BYTES = 4 * 1024 * 1024;
const MAX_BATCH_REQUESTS = 20;
const WRITE_METHODS = new Set(['POST', 'PATCH', 'PUT']);
const BAD_JSON = 'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.';

/** A Graph-compatible server over seeded tenants, with fault injection and request recording. */
export class LocalTenantServer {
  private readonly seed: LocalTenantSeed;
  private readonly log?: (msg: string, fields: object) => void;
  private readonly pageSize?: number;
  private readonly faults = new FaultTable();
  private recorded: RecordedRequest[] = [];
  private tenants = new Map<string, TenantState>();
  private server?: http.Server;
  private root?: string;
  private stopping = new AbortController();
  /** Change-notification subscriptions (`/subscriptions`) of every tenant. */
  private readonly subscriptions: LocalSubscriptions;

  constructor(options: LocalTenantServerOptions = {}) {
    this.seed = structuredClone(options.seed ?? defaultSeed());
    this.log = options.log;
    this.subscriptions = new LocalSubscriptions(options.log);
    if (options.pageSize !== undefined && !(Number.isInteger(options.pageSize) && options.pageSize >= 1)) {
      throw new TypeError('pageSize must be an integer >= 1');
    }
    this.pageSize = options.pageSize;
    this.resetData();
  }

  /** Starts listening; resolves to the root URL, e.g. http://127.0.0.1:51234. Port 0 picks a free port. */
  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    if (this.server) throw new Error('The local tenant server is already started');
    this.stopping = new AbortController();
    const server = http.createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        this.log?.('local tenant error', { error: error instanceof Error ? error.message : String(error) });
        if (!res.headersSent && !res.destroyed) {
          this.send(res, graphError(500, 'InternalServerError', 'The local tenant failed to answer.'), { requestId: randomUUID(), clientRequestId: '' });
        } else {
          res.destroy();
        }
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    const address = server.address() as AddressInfo;
    const hostPart = address.family === 'IPv6' || host.includes(':') ? `[${address.address}]` : host;
    this.root = `http://${hostPart}:${address.port}`;
    return this.root;
  }

  /** Stops listening and drops open connections; pending injected delays end at once. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.root = undefined;
    this.stopping.abort();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /** The root URL while started (e.g. http://127.0.0.1:51234). */
  get url(): string | undefined {
    return this.root;
  }

  /** `${root}/tenants/{tenantId}`: the Graph client's baseUrl once `{tenantId}` is replaced. */
  baseUrlTemplate(): string {
    if (!this.root) throw new Error('The local tenant server is not started');
    return `${this.root}/tenants/{tenantId}`;
  }

  /** Adds a fault (throws a TypeError for an invalid one). Faults apply in the order injected. */
  injectFault(f: FaultSpec): void {
    this.faults.add(f);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** Every request received since the last clear, oldest first. */
  get requests(): readonly RecordedRequest[] {
    return [...this.recorded];
  }

  clearRequests(): void {
    this.recorded = [];
  }

  /** Number of HTTP round trips received (a $batch counts once). */
  roundTrips(filter: { tenantId?: string } = {}): number {
    const tenant = filter.tenantId?.toLowerCase();
    return this.recorded.filter((r) => !r.viaBatch && (tenant === undefined || r.tenantId.toLowerCase() === tenant)).length;
  }

  /** The subscriptions of one tenant (or all), as stored. */
  listSubscriptions(tenantId?: string): LocalSubscription[] {
    return this.subscriptions.list(tenantId);
  }

  /** Sends a lifecycle notification for a subscription, as Graph would; false when it is unknown. */
  sendLifecycleNotification(subscriptionId: string, event: LifecycleEvent): boolean {
    return this.subscriptions.lifecycle(subscriptionId, event);
  }

  /** Every change and lifecycle notification posted so far, with the status it got. */
  get notificationDeliveries(): readonly { subscriptionId: string; kind: string; what: string; status: number }[] {
    return [...this.subscriptions.deliveries];
  }

  /** Resolves when every notification posted so far has been answered. */
  notificationsSettled(): Promise<void> {
    return this.subscriptions.settled();
  }

  /** Restores the seeded data and clears faults, recorded requests and subscriptions. */
  reset(): void {
    this.subscriptions.reset();
    this.resetData();
    this.clearFaults();
    this.clearRequests();
  }

  /** Grants (true) or revokes (false) the bot's Graph app consent in a tenant; false when the tenant is unknown. */
  setConsent(tenantId: string, granted: boolean): boolean {
    const state = this.tenants.get(tenantId.toLowerCase());
    if (!state) return false;
    state.tenant.consentMissing = !granted;
    return true;
  }

  /**
   * Ends a partner's relationships with a customer: `terminated` (the customer or partner ended it;
   * the customer leaves the partner's list) or `expired` (its end date is now). False when there is none.
   */
  endRelationship(partnerTenantId: string, customerTenantId: string, how: 'terminated' | 'expired'): boolean {
    const partner = this.tenants.get(partnerTenantId.toLowerCase());
    const matching = (partner?.tenant.delegatedAdminRelationships ?? []).filter((x) => x.customer.tenantId.toLowerCase() === customerTenantId.toLowerCase());
    const at = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    for (const x of matching) {
      x.lastModifiedDateTime = at;
      if (how === 'terminated') x.status = 'terminated';
      else x.endDateTime = new Date(Date.now() - 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    }
    return matching.length > 0;
  }

  /** The tenant one of whose verified domains this is. */
  private tenantByDomain(domain: string): { tenantId: string; tenant: SeedTenant } | undefined {
    const name = domain.toLowerCase();
    for (const { id, tenant } of this.tenants.values()) {
      if (tenant.domains.some((d) => d.isVerified && d.id.toLowerCase() === name)) return { tenantId: id, tenant };
    }
    return undefined;
  }

  private resetData(): void {
    this.tenants = new Map(
      Object.entries(structuredClone(this.seed.tenants)).map(([id, tenant]) => [id.toLowerCase(), { id, tenant }]),
    );
  }

  // ---- HTTP ----

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const clientRequestId = headerValue(req, 'client-request-id');
    const ids: Ids = { requestId: randomUUID(), clientRequestId: clientRequestId ?? '' };
    const rawUrl = req.url ?? '/';
    const queryAt = rawUrl.indexOf('?');
    const rawPath = queryAt < 0 ? rawUrl : rawUrl.slice(0, queryAt);
    const rawQuery = queryAt < 0 ? '' : rawUrl.slice(queryAt + 1);
    const method = (req.method ?? 'GET').toUpperCase();

    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        res.setHeader('Connection', 'close');
        return this.send(res, graphError(413, 'RequestEntityTooLarge', `The request body is larger than ${MAX_BODY_BYTES} bytes.`), ids);
      }
      res.destroy();
      return;
    }

    const segments = decodeSegments(rawPath);
    if (!segments) return this.send(res, graphError(400, 'BadRequest', 'The request URL is not validly percent-encoded.'), ids);

    if (segments[0] === '_local') return this.control(method, segments.slice(1), new URLSearchParams(rawQuery), body, res, ids);
    if (segments[0]?.toLowerCase() === 'tenants' && segments.length >= 2) {
      return this.graph(req, res, ids, method, segments[1]!, segments[2], segments.slice(3), rawQuery, body);
    }
    if (segments.length === 0 && (method === 'GET' || method === 'HEAD')) {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('FastTrack local tenant: Graph v1.0 at /tenants/{tenantId}/v1.0\n');
      return;
    }
    return this.send(res, graphError(404, 'Request_ResourceNotFound', 'Graph requests go to /tenants/{tenantId}/v1.0/...'), ids);
  }

  private async graph(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    ids: Ids,
    method: string,
    tenantId: string,
    version: string | undefined,
    graphSegments: string[],
    rawQuery: string,
    body: Buffer,
  ): Promise<void> {
    const started = Date.now();
    const path = `/${graphSegments.join('/')}`;
    const isBatch = graphSegments.length === 1 && graphSegments[0] === '$batch';
    const batchId = isBatch ? ids.requestId : undefined;
    const parsed: { value?: unknown; error?: GraphResult } = isBatch ? {} : parseJsonBody(body, headerValue(req, 'content-type'));
    this.record({
      tenantId,
      method,
      path: withQuery(path, rawQuery),
      viaBatch: false,
      ...(batchId ? { batchId } : {}),
      ...(parsed.value !== undefined && WRITE_METHODS.has(method) ? { body: parsed.value } : {}),
    });

    const fault = await this.applyFaults({ tenantId, method, path, viaBatch: false });
    let result = fault && !fault.afterHandler ? fault.result : undefined;
    if (!result) {
      const state = this.tenants.get(tenantId.toLowerCase());
      if (!state) {
        result = unknownTenant(tenantId);
      } else if (state.tenant.consentMissing) {
        // Production cannot even get a token for such a tenant (AADSTS7000229 / AADSTS650051); locally every call answers 401.
        result = graphError(CONSENT_MISSING.status, CONSENT_MISSING.code, CONSENT_MISSING.message);
      } else if (version !== 'v1.0') {
        result = graphError(400, 'BadRequest', `Invalid version: ${version ?? ''}. The local tenant serves v1.0 only.`);
      } else {
        const serviceRoot = `${this.origin(req)}/tenants/${state.id}/v1.0`;
        if (isBatch) {
          result = method === 'POST' ? await this.batch(state, serviceRoot, body, batchId!, ids) : graphError(405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.', { Allow: 'POST' });
        } else if (graphSegments[0]?.toLowerCase() === 'subscriptions' && !parsed.error) {
          result = await this.subscriptions.handle(state.id, state.tenant, method, graphSegments, parsed.value, serviceRoot);
        } else {
          result = parsed.error
            ? parsed.error
            : routeGraphRequest({
                tenantId: state.id,
                tenant: state.tenant,
                method,
                segments: graphSegments,
                query: new URLSearchParams(rawQuery),
                serviceRoot,
                body: parsed.value,
                headers: requestHeaders(req),
                tenantByDomain: (domain) => this.tenantByDomain(domain),
                ...this.paging(),
              });
        }
      }
    }
    this.eventWritten(tenantId, method, graphSegments, result);
    // The work is done, but the client hears an error (e.g. a 504 from a gateway on the way back).
    if (fault?.afterHandler) result = fault.result;
    this.send(res, result, ids);
    this.log?.('graph request', { tenantId, method, path, status: result.status, ms: Date.now() - started, viaBatch: false });
  }

  /**
   * Waits out injected latency; returns an injected error answer, to send instead of processing
   * the request or (`afterHandler`) after processing it; undefined to answer normally.
   */
  private async applyFaults(target: { tenantId: string; method: string; path: string; viaBatch: boolean }): Promise<{ result: GraphResult; afterHandler: boolean } | undefined> {
    const outcome: FaultOutcome = this.faults.take(target);
    if (outcome.latencyMs > 0) await this.sleep(outcome.latencyMs);
    if (!outcome.answer) return undefined;
    const { status, code, message, retryAfterSeconds, afterHandler } = outcome.answer;
    return { result: graphError(status, code, message, retryAfterSeconds !== undefined ? { 'Retry-After': String(retryAfterSeconds) } : undefined), afterHandler };
  }

  /** A PATCH or DELETE of an event that succeeded: its subscriptions are notified (after the answer is on its way). */
  private eventWritten(tenantId: string, method: string, segments: string[], result: GraphResult): void {
    if ((method !== 'PATCH' && method !== 'DELETE') || result.status >= 300) return;
    const calendar = segments[2]?.toLowerCase() === 'calendar' ? 1 : 0;
    if (segments.length !== 4 + calendar || segments[0]?.toLowerCase() !== 'users' || segments[2 + calendar]?.toLowerCase() !== 'events') return;
    const state = this.tenants.get(tenantId.toLowerCase());
    if (!state) return;
    const userKey = segments[1]!;
    const eventId = segments[3 + calendar]!;
    setImmediate(() => this.subscriptions.eventChanged(state.id, state.tenant, userKey, eventId, method === 'DELETE' ? 'deleted' : 'updated'));
  }

  // ---- JSON batching ----

  private async batch(state: TenantState, serviceRoot: string, raw: Buffer, batchId: string, ids: Ids): Promise<GraphResult> {
    let payload: unknown;
    try {
      payload = JSON.parse(raw.toString('utf8'));
    } catch {
      return graphError(400, 'BadRequest', BAD_JSON);
    }
    const parsed = parseBatch(payload);
    if ('error' in parsed) return graphError(400, 'BadRequest', parsed.error);
    const steps = parsed.steps;

    for (const step of steps) {
      this.record({
        tenantId: state.id,
        method: step.method,
        path: step.target ? withQuery(step.target.path, step.target.rawQuery) : step.url,
        viaBatch: true,
        batchId,
        batchRequestId: step.id,
        ...(step.body !== undefined && WRITE_METHODS.has(step.method) ? { body: step.body } : {}),
      });
    }

    const results = new Map<string, Promise<GraphResult>>();
    const run = async (step: BatchStep): Promise<GraphResult> => {
      for (const dep of step.dependsOn) {
        const depResult = await results.get(dep)!;
        if (depResult.status >= 400) {
          return graphError(424, 'FailedDependency', `The request depends on request '${dep}', which failed with ${depResult.status}.`);
        }
      }
      if (!step.target) return graphError(400, 'BadRequest', `Invalid request URL '${step.url}': a batch request URL must be relative and validly percent-encoded, e.g. /organization.`);
      const { path, segments, rawQuery } = step.target;
      const fault = await this.applyFaults({ tenantId: state.id, method: step.method, path, viaBatch: true });
      if (fault && !fault.afterHandler) return fault.result;
      if (segments.length === 1 && segments[0] === '$batch') return graphError(400, 'BadRequest', 'A batch request cannot contain another $batch.');
      const result = routeGraphRequest({
        tenantId: state.id,
        tenant: state.tenant,
        method: step.method,
        segments,
        query: new URLSearchParams(rawQuery),
        serviceRoot,
        body: step.body,
        headers: step.headers,
        tenantByDomain: (domain) => this.tenantByDomain(domain),
        ...this.paging(),
      });
      return fault ? fault.result : result;
    };
    // Dependencies are acyclic (checked by parseBatch), so awaiting them cannot deadlock.
    for (const step of orderByDependencies(steps)) results.set(step.id, run(step));

    const responses = [];
    for (const step of steps) {
      const result = await results.get(step.id)!;
      this.log?.('graph request', { tenantId: state.id, method: step.method, path: step.target?.path ?? step.url, status: result.status, viaBatch: true, batchId });
      responses.push({
        id: step.id,
        status: result.status,
        headers: {
          'Cache-Control': 'no-cache',
          'OData-Version': '4.0',
          ...(result.body !== undefined ? { 'Content-Type': JSON_CONTENT_TYPE } : {}),
          ...result.headers,
        },
        ...(result.body !== undefined ? { body: withInnerError(result.body, ids) } : {}),
      });
    }
    return { status: 200, body: { responses } };
  }

  // ---- Control API ----

  private control(method: string, segments: string[], query: URLSearchParams, body: Buffer, res: http.ServerResponse, ids: Ids): void {
    const what = segments.join('/');
    const json = (status: number, value: unknown): void => this.send(res, { status, body: value }, ids);
    const done = (): void => {
      res.writeHead(204);
      res.end();
    };
    // The local admin-consent link: /_local/login/{tenantId}/v2.0/adminconsent?client_id=…, as login.microsoftonline.com's.
    if (method === 'GET' && segments.length === 4 && segments[0] === 'login' && segments[2] === 'v2.0' && segments[3] === 'adminconsent') {
      const granted = this.setConsent(segments[1]!, true);
      res.writeHead(granted ? 200 : 404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(granted ? `Local tenant: admin consent granted in ${segments[1]!}.\n` : 'Local tenant: no such tenant.\n');
      return;
    }
    switch (`${method} ${what}`) {
      case 'POST consent':
      case 'DELETE consent':
        return this.setConsent(query.get('tenantId') ?? '', method === 'POST') ? done() : this.send(res, graphError(404, 'ResourceNotFound', 'No such tenant'), ids);
      case 'POST relationships/end': {
        const how = query.get('how') ?? 'terminated';
        if (how !== 'terminated' && how !== 'expired') return this.send(res, graphError(400, 'BadRequest', 'how must be terminated or expired'), ids);
        return this.endRelationship(query.get('partnerTenantId') ?? '', query.get('customerTenantId') ?? '', how)
          ? done()
          : this.send(res, graphError(404, 'ResourceNotFound', 'No relationship between these tenants'), ids);
      }
      case 'GET ping':
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('pong');
        return;
      case 'GET requests': {
        const tenantId = query.get('tenantId') ?? undefined;
        const value = this.recorded.filter((r) => !tenantId || r.tenantId.toLowerCase() === tenantId.toLowerCase());
        return json(200, { value, roundTrips: this.roundTrips(tenantId ? { tenantId } : {}) });
      }
      case 'DELETE requests':
        this.clearRequests();
        return done();
      case 'GET faults':
        return json(200, { value: this.faults.list() });
      case 'POST faults': {
        try {
          this.faults.add(faultFromJson(JSON.parse(body.toString('utf8'))));
        } catch (error) {
          const message = error instanceof SyntaxError ? BAD_JSON : error instanceof Error ? error.message : 'Invalid fault';
          return this.send(res, graphError(400, 'BadRequest', message), ids);
        }
        return json(201, { value: this.faults.list() });
      }
      case 'DELETE faults':
        this.clearFaults();
        return done();
      case 'POST reset':
        this.reset();
        return done();
      case 'GET subscriptions':
        return json(200, { value: this.subscriptions.list(query.get('tenantId') ?? undefined), deliveries: this.subscriptions.deliveries });
      case 'POST subscriptions/lifecycle': {
        const id = query.get('subscriptionId') ?? '';
        const event = query.get('event');
        if (event !== 'reauthorizationRequired' && event !== 'subscriptionRemoved' && event !== 'missed') return this.send(res, graphError(400, 'BadRequest', 'event must be reauthorizationRequired, subscriptionRemoved or missed'), ids);
        return this.subscriptions.lifecycle(id, event) ? done() : this.send(res, graphError(404, 'ResourceNotFound', 'No such subscription'), ids);
      }
      case 'GET tenants':
        return json(200, {
          value: [...this.tenants.values()].map(({ id, tenant }) => ({
            id,
            displayName: tenant.organization.displayName,
            users: tenant.users.map((u) => ({ id: u.id, userPrincipalName: u.userPrincipalName, displayName: u.displayName })),
          })),
        });
      default:
        return this.send(res, graphError(404, 'Request_ResourceNotFound', `No control endpoint ${method} /_local/${what}`), ids);
    }
  }

  // ---- Helpers ----

  private paging(): { pageSize?: number } {
    return this.pageSize !== undefined ? { pageSize: this.pageSize } : {};
  }

  private record(r: Omit<RecordedRequest, 'at'>): void {
    this.recorded.push({ at: new Date().toISOString(), ...r });
  }

  private send(res: http.ServerResponse, result: GraphResult, ids: Ids): void {
    if (res.headersSent || res.destroyed) return;
    const headers: Record<string, string> = {
      'Cache-Control': 'no-cache',
      'request-id': ids.requestId,
      'client-request-id': ids.clientRequestId || ids.requestId,
      ...result.headers,
    };
    if (result.body === undefined) {
      res.writeHead(result.status, headers);
      res.end();
      return;
    }
    const payload = JSON.stringify(withInnerError(result.body, ids));
    res.writeHead(result.status, { ...headers, 'OData-Version': '4.0', 'Content-Type': JSON_CONTENT_TYPE, 'Content-Length': String(Buffer.byteLength(payload)) });
    res.end(payload);
  }

  private origin(req: http.IncomingMessage): string {
    const host = req.headers.host;
    return host ? `http://${host}` : (this.root ?? 'http://127.0.0.1');
  }

  private sleep(ms: number): Promise<void> {
    const signal = this.stopping.signal;
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const onAbort = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

// ---- Request parsing ----

class BodyTooLarge extends Error {}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => (tooLarge ? reject(new BodyTooLarge()) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
    req.on('aborted', () => reject(new Error('aborted')));
  });
}

/** The request's headers by lower-case name (repeated ones joined with ', ', as HTTP allows). */
function requestHeaders(req: http.IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function headerValue(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Path segments, each percent-decoded; undefined when a segment is not valid percent-encoding. */
function decodeSegments(rawPath: string): string[] | undefined {
  try {
    return rawPath.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
}

function withQuery(path: string, rawQuery: string): string {
  if (!rawQuery) return path;
  let query = rawQuery;
  try {
    query = decodeURIComponent(rawQuery.replace(/\+/g, ' '));
  } catch {
    // keep the raw query: a record is for reading, not re-sending
  }
  return `${path}?${query}`;
}

function parseJsonBody(body: Buffer, contentType: string | undefined): { value?: unknown; error?: GraphResult } {
  if (body.length === 0) return {};
  if (contentType && !/json/i.test(contentType)) return { value: body.toString('utf8') };
  try {
    return { value: JSON.parse(body.toString('utf8')) };
  } catch {
    return { error: graphError(400, 'BadRequest', BAD_JSON) };
  }
}

function unknownTenant(tenantId: string): GraphResult {
  return graphError(404, 'Authorization_IdentityNotFound', `The identity of the calling application could not be established: tenant '${tenantId}' does not exist in the local tenant server.`);
}

function withInnerError(body: unknown, ids: Ids): unknown {
  if (typeof body !== 'object' || body === null || !('error' in body)) return body;
  const error = (body as { error: Record<string, unknown> }).error;
  if (typeof error !== 'object' || error === null || 'innerError' in error) return body;
  return {
    error: {
      ...error,
      innerError: {
        date: new Date().toISOString().slice(0, 19),
        'request-id': ids.requestId,
        'client-request-id': ids.clientRequestId || ids.requestId,
      },
    },
  };
}

interface BatchStep {
  id: string;
  method: string;
  url: string;
  body?: unknown;
  /** The step's headers by lower-case name. */
  headers: Record<string, string>;
  dependsOn: string[];
  /** Undefined when the url is absolute (answered 400 in its own response). */
  target?: { path: string; segments: string[]; rawQuery: string };
}

/** Checks a $batch payload as Graph does; errors here fail the whole batch with 400. */
function parseBatch(payload: unknown): { steps: BatchStep[] } | { error: string } {
  if (typeof payload !== 'object' || payload === null || !Array.isArray((payload as { requests?: unknown }).requests)) {
    return { error: 'Invalid batch payload format: expected {"requests": [...]}.' };
  }
  const requests = (payload as { requests: unknown[] }).requests;
  if (requests.length === 0) return { error: 'Invalid batch payload format: the batch has no requests.' };
  if (requests.length > MAX_BATCH_REQUESTS) {
    return { error: `The number of batch requests (${requests.length}) exceeds the limit of ${MAX_BATCH_REQUESTS}.` };
  }
  const steps: BatchStep[] = [];
  for (const [index, item] of requests.entries()) {
    if (typeof item !== 'object' || item === null) return { error: `Invalid batch payload format: request ${index} is not an object.` };
    const r = item as Record<string, unknown>;
    if (typeof r.id !== 'string' || r.id === '') return { error: `Invalid batch payload format: request ${index} has no string id.` };
    if (typeof r.method !== 'string' || r.method === '') return { error: `Invalid batch payload format: request '${r.id}' has no method.` };
    if (typeof r.url !== 'string' || r.url === '') return { error: `Invalid batch payload format: request '${r.id}' has no url.` };
    if (steps.some((s) => s.id === r.id)) return { error: `Batch request contains duplicate ids: '${r.id}'.` };
    if (r.headers !== undefined && (typeof r.headers !== 'object' || r.headers === null || Array.isArray(r.headers))) {
      return { error: `Invalid batch payload format: headers of request '${r.id}' must be an object.` };
    }
    if (r.dependsOn !== undefined && !(Array.isArray(r.dependsOn) && r.dependsOn.every((d) => typeof d === 'string'))) {
      return { error: `Invalid batch payload format: dependsOn of request '${r.id}' must be an array of ids.` };
    }
    const headers = (r.headers ?? {}) as Record<string, unknown>;
    if (r.body !== undefined && !Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) {
      return { error: `Write request id : ${r.id} does not contain Content-Type header or body.` };
    }
    steps.push({
      id: r.id,
      method: r.method.toUpperCase(),
      url: r.url,
      ...(r.body !== undefined ? { body: r.body } : {}),
      headers: Object.fromEntries(Object.entries(headers).flatMap(([k, v]) => (typeof v === 'string' ? [[k.toLowerCase(), v]] : []))),
      dependsOn: (r.dependsOn as string[] | undefined) ?? [],
      ...innerTarget(r.url),
    });
  }
  for (const step of steps) {
    for (const dep of step.dependsOn) {
      if (!steps.some((s) => s.id === dep)) return { error: `Request '${step.id}' depends on '${dep}', which is not in the batch.` };
    }
  }
  if (orderByDependencies(steps).length !== steps.length) return { error: 'The dependsOn references of the batch form a cycle.' };
  return { steps };
}

function innerTarget(url: string): { target?: BatchStep['target'] } {
  if (/^[a-z][a-z0-9+.-]*:/i.test(url)) return {};
  const queryAt = url.indexOf('?');
  const rawPath = queryAt < 0 ? url : url.slice(0, queryAt);
  const rawQuery = queryAt < 0 ? '' : url.slice(queryAt + 1);
  const segments = decodeSegments(rawPath);
  if (!segments) return {};
  return { target: { path: `/${segments.join('/')}`, segments, rawQuery } };
}

/** Steps with every dependency before its dependants; shorter than the input when there is a cycle. */
function orderByDependencies(steps: BatchStep[]): BatchStep[] {
  const ordered: BatchStep[] = [];
  const placed = new Set<string>();
  let progress = true;
  while (progress && ordered.length < steps.length) {
    progress = false;
    for (const step of steps) {
      if (placed.has(step.id) || !step.dependsOn.every((d) => placed.has(d))) continue;
      ordered.push(step);
      placed.add(step.id);
      progress = true;
    }
  }
  return ordered;
}
