import type { Storage } from 'botbuilder';
import type { OnboardingRequest } from '../domain/journey';
import { keys } from '../domain/request';
import type { DocumentStore } from './documentStore';

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
  /** Saves a changed request; a cancelled or closed request stops being the tenant's open one. */
  save(request: OnboardingRequest): Promise<void>;
}

/** `tenants/{tenantId}/openRequest`: which request is the tenant's open one (null: none). */
interface OpenPointer {
  requestId: string | null;
}

/**
 * RequestRepository on a botbuilder Storage (BlobsStorage in production and on Azurite) for the
 * requests, and a DocumentStore for the open-request pointer: the pointer is written create-only or
 * with the ETag it was read with, so two admins of one tenant racing can never both open a request.
 */
export class StorageRequestRepository implements RequestRepository {
  constructor(
    private readonly storage: Storage,
    private readonly documents: DocumentStore,
  ) {}

  async get(tenantId: string, requestId: string): Promise<OnboardingRequest | undefined> {
    const key = keys.request(tenantId, requestId);
    const found = (await this.storage.read([key]))[key] as (OnboardingRequest & { eTag?: string }) | undefined;
    if (!found) return undefined;
    const { eTag: _eTag, ...request } = found;
    return request;
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
    await this.storage.write({ [keys.request(request.tenantId, request.id)]: request });
    const claimed = await this.documents.put<OpenPointer>(key, { requestId: request.id }, pointer ? { etag: pointer.etag } : { absent: true });
    if (!claimed) {
      await this.storage.delete([keys.request(request.tenantId, request.id)]);
      const winner = await this.findOpen(request.tenantId);
      if (winner) return { outcome: 'exists', request: winner };
      throw new Error('The tenant\'s open request changed while this one was being created');
    }
    return { outcome: 'created', request };
  }

  async save(request: OnboardingRequest): Promise<void> {
    await this.storage.write({ [keys.request(request.tenantId, request.id)]: request });
    if (!isOpen(request)) {
      const key = keys.openRequest(request.tenantId);
      const pointer = await this.documents.get<OpenPointer>(key);
      // Only the pointer to this request is cleared; a lost race means another request took it.
      if (pointer?.value.requestId === request.id) await this.documents.put<OpenPointer>(key, { requestId: null }, { etag: pointer.etag });
    }
  }
}

function isOpen(request: OnboardingRequest): boolean {
  return request.state !== 'Cancelled' && request.stage !== 'closed';
}
