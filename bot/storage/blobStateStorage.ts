import type { ContainerClient } from '@azure/storage-blob';
import type { Storage, StoreItems } from 'botbuilder';
import { statusOf } from './documentStore';

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

  constructor(private readonly container: ContainerClient) {}

  async read(keys: string[]): Promise<StoreItems> {
    await this.init();
    const items: StoreItems = {};
    await Promise.all(
      keys.map(async (key) => {
        try {
          const response = await this.container.getBlockBlobClient(blobName(key)).download();
          const chunks: Buffer[] = [];
          for await (const chunk of response.readableStreamBody ?? []) chunks.push(Buffer.from(chunk as Buffer));
          items[key] = { ...(JSON.parse(Buffer.concat(chunks).toString('utf8')) as object), eTag: response.etag };
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
          await this.container.getBlockBlobClient(blobName(key)).upload(body, body.length, {
            conditions: typeof eTag === 'string' && eTag !== '' && eTag !== '*' ? { ifMatch: eTag } : {},
            blobHTTPHeaders: { blobContentType: 'application/json' },
          });
        } catch (error) {
          if (statusOf(error) === 412) throw new StateConflictError();
          throw error;
        }
      }),
    );
  }

  async delete(keys: string[]): Promise<void> {
    await this.init();
    await Promise.all(keys.map((key) => this.container.getBlockBlobClient(blobName(key)).deleteIfExists()));
  }

  private init(): Promise<unknown> {
    this.ready ??= this.container.createIfNotExists();
    return this.ready;
  }
}

/** BlobsStorage's blob name for a key: empty path segments dropped, URI-encoded, at most 1,024 characters. */
function blobName(key: string): string {
  if (!key) throw new Error('Please provide a non-empty key');
  return encodeURIComponent(key.split('/').filter(Boolean).join('/')).slice(0, 1024);
}
