import { ContainerClient } from '@azure/storage-blob';
import { QueueClient } from '@azure/storage-queue';
import type { Storage } from 'botbuilder';
import { productionStorageMissing, type Config } from '../config';
import { BlobStateStorage } from './blobStateStorage';
import { BlobDocumentStore, type DocumentStore } from './documentStore';
import { StorageBreaker } from './storageBreaker';
import { QueueWorkQueue, type WorkQueue } from './workQueue';

/** The storage the bot runs on: bot state, its own records, and the durable work queue. */
export interface StorageParts {
  /** Where ConversationState/UserState live (a lost ETag race is an error with status 412). */
  state: Storage;
  /** The project's own records (requests, conversation references, the bookings ledger), written with ETag conditions. */
  documents: DocumentStore;
  /** The durable work queue (the outbox of proactive notices). */
  queue: WorkQueue;
  /** Where messages that cannot be handled are kept for an operator: `{queueName}-poison`. */
  poisonQueue: WorkQueue;
  /** Which backend: 'azure' or 'azurite' (local). */
  kind: 'azure' | 'azurite';
  /** True when blob storage answers. */
  ping(): Promise<boolean>;
  /** Stops anything the factory started (the local Azurite). */
  stop(): Promise<void>;
}

/** Starts a local storage emulator (the local world's Azurite); production has none. */
export type StartLocalStorage = (options: { location: string; blobPort: number; queuePort: number }) => Promise<{ connectionString: string; stop(): Promise<void> }>;

/**
 * Builds storage from configuration. Without a connection string the local emulator is started,
 * when there is one to start (npm start); in production that is a ConfigError naming the key.
 */
export async function createStorage(config: Config['storage'], startLocal?: StartLocalStorage): Promise<StorageParts> {
  let connectionString: string;
  let stop = async () => {};
  if (config.kind === 'azure') {
    connectionString = config.connectionString;
  } else {
    if (!startLocal) throw productionStorageMissing();
    const azurite = await startLocal({ location: config.dataDir, blobPort: config.blobPort, queuePort: config.queuePort });
    connectionString = azurite.connectionString;
    stop = azurite.stop;
  }
  // One breaker for the blob service: once it is seen down, state and records fail at once (named
  // to the user) instead of each turn paying the SDK's retries; the SDK's own retries are kept short.
  const breaker = new StorageBreaker();
  const blobOptions = { retryOptions: { maxTries: 2, retryDelayInMs: 200, maxRetryDelayInMs: 1000 } };
  const state = new BlobStateStorage(new ContainerClient(connectionString, config.stateContainer, blobOptions), breaker);
  const documents = new BlobDocumentStore(new ContainerClient(connectionString, config.recordsContainer, blobOptions), breaker);
  const queueClient = new QueueClient(connectionString, config.queueName);
  const poisonClient = new QueueClient(connectionString, poisonQueueName(config.queueName));
  try {
    await Promise.all([queueClient.createIfNotExists(), poisonClient.createIfNotExists()]);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    state,
    documents,
    queue: new QueueWorkQueue(queueClient),
    poisonQueue: new QueueWorkQueue(poisonClient),
    kind: config.kind,
    async ping() {
      try {
        // A read of a key that does not exist still round-trips to the blob service.
        await documents.get('healthz/probe');
        return true;
      } catch {
        return false;
      }
    },
    stop,
  };
}

/** The poison queue next to a work queue (queue names are at most 63 characters). */
export function poisonQueueName(queueName: string): string {
  return `${queueName.slice(0, 56).replace(/-+$/, '')}-poison`;
}
