import type { QueueClient } from '@azure/storage-queue';

/** A message of durable work, received at least once. */
export interface WorkItem<T> {
  body: T;
  messageId: string;
  popReceipt: string;
  dequeueCount: number;
}

/** Durable work (reminders, notification fan-out): at-least-once, so every consumer must be idempotent. */
export interface WorkQueue {
  enqueue(body: unknown, options?: { delaySeconds?: number }): Promise<void>;
  receive(max?: number, visibilitySeconds?: number): Promise<WorkItem<unknown>[]>;
  complete(item: Pick<WorkItem<unknown>, 'messageId' | 'popReceipt'>): Promise<void>;
}

/** WorkQueue on an Azure Storage queue (or Azurite's). */
export class QueueWorkQueue implements WorkQueue {
  constructor(private readonly client: QueueClient) {}

  async enqueue(body: unknown, options: { delaySeconds?: number } = {}): Promise<void> {
    const text = Buffer.from(JSON.stringify(body), 'utf8').toString('base64');
    await this.client.sendMessage(text, { visibilityTimeout: options.delaySeconds ?? 0 });
  }

  async receive(max = 16, visibilitySeconds = 60): Promise<WorkItem<unknown>[]> {
    const response = await this.client.receiveMessages({ numberOfMessages: Math.min(max, 32), visibilityTimeout: visibilitySeconds });
    return response.receivedMessageItems.map((m) => ({
      body: JSON.parse(Buffer.from(m.messageText, 'base64').toString('utf8')) as unknown,
      messageId: m.messageId,
      popReceipt: m.popReceipt,
      dequeueCount: m.dequeueCount,
    }));
  }

  async complete(item: Pick<WorkItem<unknown>, 'messageId' | 'popReceipt'>): Promise<void> {
    await this.client.deleteMessage(item.messageId, item.popReceipt);
  }
}
