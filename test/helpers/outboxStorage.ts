import { ContainerClient } from '@azure/storage-blob';
import { QueueClient } from '@azure/storage-queue';
import { BlobDocumentStore } from '../../bot/storage/documentStore';
import { QueueWorkQueue } from '../../bot/storage/workQueue';

/** A fresh bot storage on Azurite for outbox tests: a records container, the work queue and its poison queue. */
export async function freshOutboxStorage(connectionString: string): Promise<{ documents: BlobDocumentStore; queue: QueueWorkQueue; poisonQueue: QueueWorkQueue; queueClient: QueueClient }> {
  const suffix = Math.random().toString(36).slice(2, 10);
  const documents = new BlobDocumentStore(new ContainerClient(connectionString, `records${suffix}`));
  const queueClient = new QueueClient(connectionString, `work${suffix}`);
  const poisonClient = new QueueClient(connectionString, `work${suffix}-poison`);
  await Promise.all([queueClient.createIfNotExists(), poisonClient.createIfNotExists()]);
  return { documents, queue: new QueueWorkQueue(queueClient), poisonQueue: new QueueWorkQueue(poisonClient), queueClient };
}
