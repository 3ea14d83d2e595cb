import type { QueueClient } from '@azure/storage-queue';

/** A message of durable work, received at least once. */
export interface WorkItem<T> {
  /** The parsed JSON body; undefined when the message is not base64 JSON (a malformed message). */
  body: T;
  /** The message text exactly as stored (what a poison queue keeps). */
  raw: string;
  messageId: string;
  popReceipt: string;
  /** How many times this message has been received, this time included. */
  dequeueCount: number;
}

/** The longest a storage queue message can stay invisible: 7 days. Longer delays are re-enqueued. */
export const MAX_VISIBILITY_SECONDS = 7 * 24 * 3600;

/** Durable work (reminders, notification fan-out): at-least-once, so every consumer must be idempotent. */
export interface WorkQueue {
  /** Adds a message, invisible for `delaySeconds` (at most MAX_VISIBILITY_SECONDS); it never expires. */
  enqueue(body: unknown, options?: { delaySeconds?: number }): Promise<void>;
  /** Adds a message whose text is kept as it is (a poison queue keeping the original). */
  enqueueRaw(text: string): Promise<void>;
  receive(max?: number, visibilitySeconds?: number): Promise<WorkItem<unknown>[]>;
  /** Deletes a received message: its work is done. */
  complete(item: Pick<WorkItem<unknown>, 'messageId' | 'popReceipt'>): Promise<void>;
  /** Makes a received message visible again after `delaySeconds` (a retry later); returns its new pop receipt. */
  release(item: Pick<WorkItem<unknown>, 'messageId' | 'popReceipt'>, delaySeconds: number): Promise<string>;
}

/** WorkQueue on an Azure Storage queue (or Azurite's). */
export class QueueWorkQueue implements WorkQueue {
  constructor(private readonly client: QueueClient) {}

  async enqueue(body: unknown, options: { delaySeconds?: number } = {}): Promise<void> {
    const text = Buffer.from(JSON.stringify(body), 'utf8').toString('base64');
    const visibilityTimeout = Math.max(0, Math.min(MAX_VISIBILITY_SECONDS, Math.ceil(options.delaySeconds ?? 0)));
    // The default time-to-live is 7 days: a message nobody could handle in time would vanish. -1 = never.
    await this.client.sendMessage(text, { visibilityTimeout, messageTimeToLive: -1 });
  }

  async enqueueRaw(text: string): Promise<void> {
    await this.client.sendMessage(text, { messageTimeToLive: -1 });
  }

  async receive(max = 16, visibilitySeconds = 60): Promise<WorkItem<unknown>[]> {
    const response = await this.client.receiveMessages({ numberOfMessages: Math.max(1, Math.min(max, 32)), visibilityTimeout: visibilitySeconds });
    return response.receivedMessageItems.map((m) => ({
      body: parseBody(m.messageText),
      raw: m.messageText,
      messageId: m.messageId,
      popReceipt: m.popReceipt,
      dequeueCount: m.dequeueCount,
    }));
  }

  async complete(item: Pick<WorkItem<unknown>, 'messageId' | 'popReceipt'>): Promise<void> {
    await this.client.deleteMessage(item.messageId, item.popReceipt);
  }

  async release(item: Pick<WorkItem<unknown>, 'messageId' | 'popReceipt'>, delaySeconds: number): Promise<string> {
    const visibilityTimeout = Math.max(0, Math.min(MAX_VISIBILITY_SECONDS, Math.ceil(delaySeconds)));
    const response = await this.client.updateMessage(item.messageId, item.popReceipt, undefined, visibilityTimeout);
    return response.popReceipt ?? item.popReceipt;
  }
}

/** base64 JSON, as `enqueue` writes it; anything else is undefined (a malformed message, never a throw). */
function parseBody(text: string): unknown {
  try {
    return JSON.parse(Buffer.from(text, 'base64').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
