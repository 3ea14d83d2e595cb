import type { OnboardingRequest } from '../domain/journey';
import { keys } from '../domain/request';
import { updateDocument, type DocumentStore } from './documentStore';

/** How a change sees the request: the stored version in, the new version (or undefined: no change) out. */
export type RequestChange = (current: OnboardingRequest) => OnboardingRequest | undefined;

/** Onboarding requests, keyed under their tenant, with the tenant's one open request. */
export interface RequestRepository {
  get(tenantId: string, requestId: string): Promise<OnboardingRequest | undefined>;
  /** The tenant's open (not cancelled, not closed) request, if any. */
  findOpen(tenantId: string): Promise<OnboardingRequest | undefined>;
  /**
   * Stores a new request and makes it the tenant's open one; 'exists' (nothing kept) when the
   * tenant already has an open request — the caller offers that one instead.
   */
  create(request: OnboardingRequest): Promise<{ outcome: 'created' | 'exists'; request: OnboardingRequest }>;
  /**
   * Changes a stored request: `change` gets the stored version and returns the new one; when
   * another turn or instance wrote in between, the request is read again and `change` re-applied,
   * so neither change is lost (write with If-Match, re-apply on 412). `change` may run more than
   * once: it must only compute. A request that is no longer open stops being the tenant's open one.
   * Resolves to the request as stored afterwards; undefined when there is no such request.
   */
  update(tenantId: string, requestId: string, change: RequestChange): Promise<OnboardingRequest | undefined>;
}

/** `tenants/{tenantId}/openRequest`: which request is the tenant's open one (null: none). */
interface OpenPointer {
  requestId: string | null;
}

/**
 * RequestRepository on a DocumentStore (blob storage with ETags in production and on Azurite):
 * every request is written with the ETag it was read with, and the tenant's open-request pointer
 * is claimed create-only or with the ETag it was read with, so two admins of one tenant racing can
 * never both open a request, and two turns changing one request never lose either change.
 */
export class StorageRequestRepository implements RequestRepository {
  constructor(private readonly documents: DocumentStore) {}

  async get(tenantId: string, requestId: string): Promise<OnboardingRequest | undefined> {
    return (await this.documents.get<OnboardingRequest>(keys.request(tenantId, requestId)))?.value;
  }

  async findOpen(tenantId: string): Promise<OnboardingRequest | undefined> {
    const pointer = await this.documents.get<OpenPointer>(keys.openRequest(tenantId));
    const request = pointer?.value.requestId ? await this.get(tenantId, pointer.value.requestId) : undefined;
    return request && isOpen(request) ? request : undefined;
  }

  async create(request: OnboardingRequest): Promise<{ outcome: 'created' | 'exists'; request: OnboardingRequest }> {
    const key = keys.openRequest(request.tenantId);
    const pointer = await this.documents.get<OpenPointer>(key);
    const current = pointer?.value.requestId ? await this.get(request.tenantId, pointer.value.requestId) : undefined;
    if (current && isOpen(current)) return { outcome: 'exists', request: current };
    // The request is written before the tenant is claimed, so a pointer never names a missing
    // request; the claim uses the version read above, so of two racing admins only one wins and
    // the other's request is removed again.
    const requestKey = keys.request(request.tenantId, request.id);
    if (!(await this.documents.put(requestKey, request, { absent: true }))) throw new Error('A request with this id is already stored');
    const claimed = await this.documents.put<OpenPointer>(key, { requestId: request.id }, pointer ? { etag: pointer.etag } : { absent: true });
    if (!claimed) {
      await this.documents.delete(requestKey);
      const winner = await this.findOpen(request.tenantId);
      if (winner) return { outcome: 'exists', request: winner };
      throw new Error('The tenant\'s open request changed while this one was being created');
    }
    return { outcome: 'created', request };
  }

  async update(tenantId: string, requestId: string, change: RequestChange): Promise<OnboardingRequest | undefined> {
    let changed = false;
    const stored = await updateDocument<OnboardingRequest>(this.documents, keys.request(tenantId, requestId), (current) => {
      if (!current) return undefined;
      const next = change(current);
      changed = next !== undefined;
      return next;
    });
    if (stored && changed && !isOpen(stored)) await this.releaseOpenPointer(stored);
    return stored;
  }

  /** Only the pointer to this request is cleared; a lost race means another request took it. */
  private async releaseOpenPointer(request: OnboardingRequest): Promise<void> {
    await updateDocument<OpenPointer>(this.documents, keys.openRequest(request.tenantId), (pointer) =>
      pointer?.requestId === request.id ? { requestId: null } : undefined,
    );
  }
}

function isOpen(request: OnboardingRequest): boolean {
  return request.state !== 'Cancelled' && request.stage !== 'closed';
}
