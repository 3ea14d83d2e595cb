import type { ContainerClient } from '@azure/storage-blob';
import { UNGUARDED, type StorageGuard } from './storageBreaker';

/** A stored JSON document and the ETag that identifies this version of it. */
export interface StoredDocument<T> {
  value: T;
  etag: string;
}

/** The condition a write needs: nothing stored yet, or exactly the version read. */
export type WriteCondition = { absent: true } | { etag: string };

/**
 * JSON documents with optimistic concurrency: every write names the version it replaces, and a
 * write whose version is stale does nothing and says so. botbuilder's Storage cannot do this for a
 * document that does not exist yet ("create only"), which is exactly what a ledger needs.
 */
export interface DocumentStore {
  get<T>(key: string): Promise<StoredDocument<T> | undefined>;
  /** Writes when the condition holds; returns the new ETag, or undefined when another write came first. */
  put<T>(key: string, value: T, condition: WriteCondition): Promise<string | undefined>;
  /** Removes a document (only that version when an ETag is given); false when it changed or was gone. */
  delete(key: string, etag?: string): Promise<boolean>;
}

/** What a read-modify-write decides: the new value, or undefined to leave the document as it is. */
export type Change<T> = (current: T | undefined) => T | undefined;

const MAX_ATTEMPTS = 8;

/**
 * Read-modify-write of one document with its ETag: `change` sees the stored version and returns
 * the new one; when another writer came first, the document is read again and `change` re-applied,
 * so no concurrent change is lost. `change` may run more than once and must not have side effects.
 * Resolves to what is stored afterwards (undefined when nothing is).
 */
export async function updateDocument<T>(store: DocumentStore, key: string, change: Change<T>): Promise<T | undefined> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const current = await store.get<T>(key);
    const next = change(current?.value);
    if (next === undefined) return current?.value;
    if (await store.put(key, next, current ? { etag: current.etag } : { absent: true })) return next;
    // Jittered backoff: two writers that collided do not collide again in lockstep.
    await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * (attempt + 1)));
  }
  throw new ConcurrencyError(key);
}

/** A document kept changing under every one of the bounded attempts to update it. */
export class ConcurrencyError extends Error {
  readonly statusCode = 412;
  readonly code = 'ConcurrencyConflict';
  constructor(key: string) {
    super(`The document ${key.split('/')[0]}/… stayed busy after ${MAX_ATTEMPTS} attempts`);
    this.name = 'ConcurrencyError';
  }
}

/** DocumentStore on a blob container (Azure Storage or Azurite), with If-Match / If-None-Match. */
export class BlobDocumentStore implements DocumentStore {
  private ready: Promise<unknown> | undefined;

  /** `guard` (the storage circuit breaker) runs every request; none by default. */
  constructor(
    private readonly container: ContainerClient,
    private readonly guard: StorageGuard = UNGUARDED,
  ) {}

  async get<T>(key: string): Promise<StoredDocument<T> | undefined> {
    await this.init();
    try {
      // One download gives the body and the ETag of that very version.
      return await this.guard.execute(async (abortSignal) => {
        const response = await this.container.getBlockBlobClient(key).download(0, undefined, { abortSignal });
        const chunks: Buffer[] = [];
        for await (const chunk of response.readableStreamBody ?? []) chunks.push(Buffer.from(chunk as Buffer));
        return { value: JSON.parse(Buffer.concat(chunks).toString('utf8')) as T, etag: response.etag ?? '' };
      });
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  async put<T>(key: string, value: T, condition: WriteCondition): Promise<string | undefined> {
    await this.init();
    const body = Buffer.from(JSON.stringify(value), 'utf8');
    try {
      const response = await this.guard.execute((abortSignal) =>
        this.container.getBlockBlobClient(key).upload(body, body.length, {
          conditions: 'absent' in condition ? { ifNoneMatch: '*' } : { ifMatch: condition.etag },
          blobHTTPHeaders: { blobContentType: 'application/json' },
          abortSignal,
        }),
      );
      return response.etag;
    } catch (error) {
      // 412: the version changed; 409: the blob exists although "absent" was asked.
      const status = statusOf(error);
      if (status === 412 || status === 409) return undefined;
      throw error;
    }
  }

  async delete(key: string, etag?: string): Promise<boolean> {
    await this.init();
    try {
      await this.guard.execute((abortSignal) => this.container.getBlockBlobClient(key).delete(etag ? { conditions: { ifMatch: etag }, abortSignal } : { abortSignal }));
      return true;
    } catch (error) {
      const status = statusOf(error);
      if (status === 404 || status === 412) return false;
      throw error;
    }
  }

  private init(): Promise<unknown> {
    // A failed creation (storage down) is not remembered: the next operation tries again.
    this.ready ??= this.guard.execute((abortSignal) => this.container.createIfNotExists({ abortSignal })).catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }
}

/** DocumentStore in memory, with the same semantics (unit tests). */
export class MemoryDocumentStore implements DocumentStore {
  private readonly docs = new Map<string, { json: string; etag: string }>();
  private version = 0;

  async get<T>(key: string): Promise<StoredDocument<T> | undefined> {
    const doc = this.docs.get(key);
    return doc ? { value: JSON.parse(doc.json) as T, etag: doc.etag } : undefined;
  }

  async put<T>(key: string, value: T, condition: WriteCondition): Promise<string | undefined> {
    const current = this.docs.get(key);
    const holds = 'absent' in condition ? current === undefined : current?.etag === condition.etag;
    if (!holds) return undefined;
    const etag = `"m${++this.version}"`;
    this.docs.set(key, { json: JSON.stringify(value), etag });
    return etag;
  }

  async delete(key: string, etag?: string): Promise<boolean> {
    const current = this.docs.get(key);
    if (!current || (etag && current.etag !== etag)) return false;
    this.docs.delete(key);
    return true;
  }

  /** Every key (tests inspect what is stored). */
  keys(): string[] {
    return [...this.docs.keys()];
  }
}

export function statusOf(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null && 'statusCode' in error ? (error as { statusCode?: number }).statusCode : undefined;
}
