import type { Storage } from 'botbuilder';
import { keys, type OnboardingRequest } from '../domain/request';

/** Onboarding requests, keyed under their tenant. */
export interface RequestRepository {
  get(tenantId: string, requestId: string): Promise<OnboardingRequest | undefined>;
  /** Stores a new request; 'exists' when one with that id is already stored (a retried or double submit). */
  create(request: OnboardingRequest): Promise<'created' | 'exists'>;
}

/** RequestRepository on a botbuilder Storage (BlobsStorage in production and on Azurite). */
export class StorageRequestRepository implements RequestRepository {
  constructor(private readonly storage: Storage) {}

  async get(tenantId: string, requestId: string): Promise<OnboardingRequest | undefined> {
    const key = keys.request(tenantId, requestId);
    const found = (await this.storage.read([key]))[key] as (OnboardingRequest & { eTag?: string }) | undefined;
    if (!found) return undefined;
    const { eTag: _eTag, ...request } = found;
    return request;
  }

  async create(request: OnboardingRequest): Promise<'created' | 'exists'> {
    // The id comes from the form card, so a double submit writes the same key: one request either way.
    if (await this.get(request.tenantId, request.id)) return 'exists';
    await this.storage.write({ [keys.request(request.tenantId, request.id)]: request });
    return 'created';
  }
}
