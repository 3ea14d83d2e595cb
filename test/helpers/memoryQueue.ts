import type { WorkItem, WorkQueue } from '../../bot/storage/workQueue';

/** An in-memory WorkQueue for dialog tests: what was queued, with its delay (the outbox tests use Azurite's queue). */
export class MemoryWorkQueue implements WorkQueue {
  readonly messages: { body: unknown; delaySeconds: number }[] = [];

  async enqueue(body: unknown, options: { delaySeconds?: number } = {}): Promise<void> {
    this.messages.push({ body: JSON.parse(JSON.stringify(body)) as unknown, delaySeconds: options.delaySeconds ?? 0 });
  }

  async enqueueRaw(text: string): Promise<void> {
    this.messages.push({ body: text, delaySeconds: 0 });
  }

  /** Takes every queued message out, oldest first (their delays are not waited for). */
  drain(): unknown[] {
    return this.messages.splice(0).map((m) => m.body);
  }

  async receive(): Promise<WorkItem<unknown>[]> {
    return [];
  }

  async complete(): Promise<void> {}

  async release(item: Pick<WorkItem<unknown>, 'popReceipt'>): Promise<string> {
    return item.popReceipt;
  }
}
