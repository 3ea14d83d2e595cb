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

/** `staff/{personId}/assignments`: the requests a FastTrack person is the assignee of, in the order assigned. */
export interface AssignmentsDocument {
  requests: { tenantId: string; requestId: string }[];
}

/** The storage key of a FastTrack person's assignment index. */
export function assignmentsKey(personId: string): string {
  return `staff/${encodeURIComponent(personId)}/assignments`;
}

/** How often one person's index is written again when the request's assignee changed meanwhile. */
const REINDEX_ATTEMPTS = 8;

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
    if (request.assignee) await this.reindex(request.assignee.personId, request.tenantId, request.id);
    return { outcome: 'created', request };
  }

  async update(tenantId: string, requestId: string, change: RequestChange): Promise<OnboardingRequest | undefined> {
    let changed = false;
    // The version the written change was computed from (the last attempt's): whose assignment it ends.
    let before: OnboardingRequest | undefined;
    const stored = await updateDocument<OnboardingRequest>(this.documents, keys.request(tenantId, requestId), (current) => {
      if (!current) return undefined;
      before = current;
      const next = change(current);
      changed = next !== undefined;
      return next;
    });
    if (stored && changed && !isOpen(stored)) await this.releaseOpenPointer(stored);
    const from = before?.assignee?.personId;
    const to = stored?.assignee?.personId;
    if (stored && changed && from !== to) {
      await Promise.all([from, to].flatMap((personId) => (personId ? [this.reindex(personId, tenantId, requestId)] : [])));
    }
    return stored;
  }

  /**
   * The requests a FastTrack person is the assignee of (`staff/{personId}/assignments`), as stored
   * now: one index read and one read per request, never a scan of the tenants. An entry whose
   * request is gone or assigned to someone else is not shown.
   */
  async assignedTo(personId: string): Promise<OnboardingRequest[]> {
    const index = await this.documents.get<AssignmentsDocument>(assignmentsKey(personId));
    const requests = await Promise.all((index?.value.requests ?? []).map((e) => this.get(e.tenantId, e.requestId)));
    return requests.filter((r): r is OnboardingRequest => r?.assignee?.personId === personId);
  }

  /**
   * Makes the person's index agree with the request's assignee as stored: read the request, write
   * the index (with its ETag), read the request again; when the person's membership changed in
   * between (another writer reassigned it), do it again. Whoever writes the index last read the
   * request after every assignee change that came before its write, so two writers assigning and
   * reassigning at once leave every index right. (A crash between the request's write and this
   * leaves the index behind until the request's assignee changes again; `assignedTo` re-checks.)
   */
  private async reindex(personId: string, tenantId: string, requestId: string): Promise<void> {
    const key = assignmentsKey(personId);
    const same = (e: { tenantId: string; requestId: string }) => e.tenantId === tenantId && e.requestId === requestId;
    const isMine = async () => (await this.get(tenantId, requestId))?.assignee?.personId === personId;
    let mine = await isMine();
    for (let attempt = 0; attempt < REINDEX_ATTEMPTS; attempt++) {
      const wanted = mine;
      await updateDocument<AssignmentsDocument>(this.documents, key, (index) => {
        const requests = index?.requests ?? [];
        const listed = requests.some(same);
        if (wanted === listed) return undefined;
        return { requests: wanted ? [...requests, { tenantId, requestId }] : requests.filter((e) => !same(e)) };
      });
      mine = await isMine();
      if (mine === wanted) return;
    }
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
