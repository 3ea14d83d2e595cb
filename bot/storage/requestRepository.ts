import type { Storage, StoreItem } from 'botbuilder';
import type { OnboardingRequest } from '../domain/journey';
import { keys } from '../domain/request';

/** Onboarding requests, keyed under their tenant, with the tenant's one open request. */
export interface RequestRepository {
  get(tenantId: string, requestId: string): Promise<OnboardingRequest | undefined>;
  /** The tenant's open (not cancelled, not closed) request, if any. */
  findOpen(tenantId: string): Promise<OnboardingRequest | undefined>;
  /**
   * Stores a new request and makes it the tenant's open one; 'exists' (nothing written) when the
   * tenant already has an open request — the caller offers that one instead.
   */
  create(request: OnboardingRequest): Promise<{ outcome: 'created' | 'exists'; request: OnboardingRequest }>;
  /** Saves a changed request; a cancelled or closed request stops being the tenant's open one. */
  save(request: OnboardingRequest): Promise<void>;
}

type Stored<T> = T & { eTag?: string };

/** RequestRepository on a botbuilder Storage (BlobsStorage in production and on Azurite). */
export class StorageRequestRepository implements RequestRepository {
  constructor(private readonly storage: Storage) {}

  async get(tenantId: string, requestId: string): Promise<OnboardingRequest | undefined> {
    const found = await this.read<OnboardingRequest>(keys.request(tenantId, requestId));
    if (!found) return undefined;
    const { eTag: _eTag, ...request } = found;
    return request;
  }

  async findOpen(tenantId: string): Promise<OnboardingRequest | undefined> {
    const pointer = await this.read<{ requestId: string }>(keys.openRequest(tenantId));
    if (!pointer) return undefined;
    const request = await this.get(tenantId, pointer.requestId);
    return request && isOpen(request) ? request : undefined;
  }

  async create(request: OnboardingRequest): Promise<{ outcome: 'created' | 'exists'; request: OnboardingRequest }> {
    const pointerKey = keys.openRequest(request.tenantId);
    const pointer = await this.read<{ requestId: string }>(pointerKey);
    if (pointer) {
      const open = await this.get(request.tenantId, pointer.requestId);
      if (open && isOpen(open)) return { outcome: 'exists', request: open };
    }
    await this.storage.write({ [keys.request(request.tenantId, request.id)]: request });
    // The pointer is written with the ETag read above: when the tenant had a pointer (an earlier,
    // closed request), two admins racing cannot both win — the slower write fails and is shown the
    // winner's. botbuilder's Storage has no create-only write, so the very first pointer is written
    // unconditionally (a race within milliseconds of each other remains possible there).
    try {
      await this.storage.write({ [pointerKey]: { requestId: request.id, eTag: pointer?.eTag ?? '*' } as StoreItem });
    } catch (error) {
      const winner = await this.findOpen(request.tenantId);
      if (winner && winner.id !== request.id) {
        await this.storage.delete([keys.request(request.tenantId, request.id)]);
        return { outcome: 'exists', request: winner };
      }
      throw error;
    }
    return { outcome: 'created', request };
  }

  async save(request: OnboardingRequest): Promise<void> {
    await this.storage.write({ [keys.request(request.tenantId, request.id)]: request });
    if (!isOpen(request)) {
      const pointer = await this.read<{ requestId: string }>(keys.openRequest(request.tenantId));
      if (pointer?.requestId === request.id) await this.storage.delete([keys.openRequest(request.tenantId)]);
    }
  }

  private async read<T>(key: string): Promise<Stored<T> | undefined> {
    return (await this.storage.read([key]))[key] as Stored<T> | undefined;
  }
}

function isOpen(request: OnboardingRequest): boolean {
  return request.state !== 'Cancelled' && request.stage !== 'closed';
}
