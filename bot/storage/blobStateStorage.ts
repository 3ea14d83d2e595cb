import type { ContainerClient } from '@azure/storage-blob';
import type { Storage, StoreItems } from 'botbuilder';
import { statusOf } from './documentStore';
import { UNGUARDED, type StorageGuard } from './storageBreaker';

/** A state write lost to a concurrent write of the same key: HTTP 412, as Azure Storage says it. */
export class StateConflictError extends Error {
  readonly statusCode = 412;
  readonly code = 'ConditionNotMet';
  constructor() {
    super('Bot state changed by a concurrent turn');
    this.name = 'StateConflictError';
  }
}

/** True for a write that lost an optimistic-concurrency race (status 412), whatever the store. */
export function isConflict(error: unknown): boolean {
  return statusOf(error) === 412;
}

/**
 * botbuilder `Storage` on a blob container with ETag concurrency, like botbuilder-azure-blobs'
 * BlobsStorage (same blob names), but a lost race is a `StateConflictError` with status 412
 * rather than an Error whose message has to be matched, and bodies are written as UTF-8 bytes.
 */
export class BlobStateStorage implements Storage {
  private ready: Promise<unknown> | undefined;

  /** `guard` (the storage circuit breaker) runs every request; none by default. */
  constructor(
    private readonly container: ContainerClient,
    private readonly guard: StorageGuard = UNGUARDED,
  ) {}

  async read(keys: string[]): Promise<StoreItems> {
    await this.init();
    const items: StoreItems = {};
    await Promise.all(
      keys.map(async (key) => {
        try {
          items[key] = await this.guard.execute(async (abortSignal) => {
            const response = await this.container.getBlockBlobClient(blobName(key)).download(0, undefined, { abortSignal });
            const chunks: Buffer[] = [];
            for await (const chunk of response.readableStreamBody ?? []) chunks.push(Buffer.from(chunk as Buffer));
            return { ...(JSON.parse(Buffer.concat(chunks).toString('utf8')) as object), eTag: response.etag };
          });
        } catch (error) {
          if (statusOf(error) !== 404) throw error;
        }
      }),
    );
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    await this.init();
    await Promise.all(
      Object.entries(changes).map(async ([key, item]) => {
        const { eTag, ...value } = (item ?? {}) as { eTag?: unknown };
        const body = Buffer.from(JSON.stringify(value), 'utf8');
        try {
          await this.guard.execute((abortSignal) =>
            this.container.getBlockBlobClient(blobName(key)).upload(body, body.length, {
              conditions: typeof eTag === 'string' && eTag !== '' && eTag !== '*' ? { ifMatch: eTag } : {},
              blobHTTPHeaders: { blobContentType: 'application/json' },
              abortSignal,
            }),
          );
        } catch (error) {
          if (statusOf(error) === 412) throw new StateConflictError();
          throw error;
        }
      }),
    );
  }

  async delete(keys: string[]): Promise<void> {
    await this.init();
    await Promise.all(keys.map((key) => this.guard.execute((abortSignal) => this.container.getBlockBlobClient(blobName(key)).deleteIfExists({ abortSignal }))));
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

/** BlobsStorage's blob name for a key: empty path segments dropped, URI-encoded, at most 1,024 characters. */
function blobName(key: string): string {
  if (!key) throw new Error('Please provide a non-empty key');
  return encodeURIComponent(key.split('/').filter(Boolean).join('/')).slice(0, 1024);
}
